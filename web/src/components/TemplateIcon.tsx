// A template's icon, or its initial when it has none or the image cannot load.
import { useState } from 'react';
import type { Template } from '../api/types.js';

export function TemplateIcon({
  template,
  fallback,
  size = 40,
}: {
  template: Template | undefined;
  fallback: string;
  size?: number;
}) {
  const [broken, setBroken] = useState(false);
  const style = { width: size, height: size };
  if (template?.icon && !broken) {
    return (
      <span className="template-icon" style={style}>
        <img src={template.icon} alt="" onError={() => setBroken(true)} />
      </span>
    );
  }
  return (
    <span className="template-icon template-icon-letter" style={style} aria-hidden="true">
      {(template?.name ?? fallback).slice(0, 1).toUpperCase()}
    </span>
  );
}
