// The Lablease mark: a flask in a rounded square, and the wordmark.
export function LogoMark({ size = 30 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="lablease-mark" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6366f1" />
          <stop offset="1" stopColor="#0891b2" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="9" fill="url(#lablease-mark)" />
      <path
        d="M12.5 8h7M13.5 8v6.2L9 22.4A1.7 1.7 0 0 0 10.5 25h11a1.7 1.7 0 0 0 1.5-2.6l-4.5-8.2V8"
        fill="none"
        stroke="#fff"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <path
        d="M11.2 19.5h9.6l1.6 3a.9.9 0 0 1-.8 1.3H10.4a.9.9 0 0 1-.8-1.3z"
        fill="#fff"
        opacity=".85"
      />
    </svg>
  );
}

export function Logo({ href }: { href?: string }) {
  const content = (
    <>
      <LogoMark />
      <span>Lablease</span>
    </>
  );
  return href ? (
    <a className="logo" href={href} aria-label="Lablease home">
      {content}
    </a>
  ) : (
    <span className="logo">{content}</span>
  );
}
