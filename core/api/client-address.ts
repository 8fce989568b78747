// The client's address as the platform saw it: API Gateway's sourceIp on
// Lambda, the socket's peer on @hono/node-server. Never X-Forwarded-For,
// which any client can set.
import type { Context } from 'hono';

interface PlatformEnv {
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } };
  incoming?: { socket?: { remoteAddress?: string } };
}

export function platformClientAddress(c: Context): string {
  const env = c.env as PlatformEnv | undefined;
  return (
    env?.requestContext?.http?.sourceIp ??
    env?.requestContext?.identity?.sourceIp ??
    env?.incoming?.socket?.remoteAddress ??
    'unknown'
  );
}
