import { Injectable } from '@nestjs/common';

/** The time, as the domain sees it: injected so specs can move it (expiry, freshness windows). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
