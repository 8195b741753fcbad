import { HttpException } from '@nestjs/common';

/**
 * An error answered in Kalshi's REST error shape: `{"error": {"code": "...", "message": "..."}}`
 * (docs.kalshi.com, error responses). `message` names the bad field or resource.
 */
export class KalshiHttpError extends HttpException {
  constructor(status: number, code: string, message: string) {
    super({ error: { code, message } }, status);
  }
}

/** 400 with `invalid_parameter`, naming the parameter. */
export const badParam = (name: string, detail: string) => new KalshiHttpError(400, 'invalid_parameter', `${name}: ${detail}`);
/** 404 with `not_found`. */
export const notFound = (what: string) => new KalshiHttpError(404, 'not_found', `${what} not found`);
