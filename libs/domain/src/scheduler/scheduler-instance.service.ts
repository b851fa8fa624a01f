import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { SchedulerInstance } from './scheduler-instance.entity';

@Injectable()
export class SchedulerInstanceService {
  constructor(private readonly em: EntityManager) {}

  async register(hostname: string, pid: number): Promise<SchedulerInstance> {
    const instance = new SchedulerInstance(hostname, pid);
    await this.em.persistAndFlush(instance);
    return instance;
  }

  /** Records that the instance is alive; re-registers it if an operator pruned its row. */
  async beat(instanceId: string, hostname: string, pid: number, now = new Date()): Promise<void> {
    const updated = await this.em.nativeUpdate(SchedulerInstance, { id: instanceId }, { lastBeatAt: now });
    if (updated === 0) {
      const instance = new SchedulerInstance(hostname, pid);
      instance.id = instanceId;
      instance.lastBeatAt = now;
      await this.em.persistAndFlush(instance);
    }
  }

  /** Removes the instance's row on a clean shutdown. */
  async deregister(instanceId: string): Promise<void> {
    await this.em.nativeDelete(SchedulerInstance, { id: instanceId });
  }

  /** Forgets instances silent for longer than `staleAfterMs` (crashed or scaled-down workers). */
  prune(staleAfterMs: number, now = new Date()): Promise<number> {
    return this.em.nativeDelete(SchedulerInstance, {
      lastBeatAt: { $lt: new Date(now.getTime() - staleAfterMs) },
    });
  }

  /** Instances that beat within `aliveWithinMs`. */
  alive(aliveWithinMs: number, now = new Date()): Promise<SchedulerInstance[]> {
    return this.em.find(
      SchedulerInstance,
      { lastBeatAt: { $gte: new Date(now.getTime() - aliveWithinMs) } },
      { orderBy: { id: 'asc' } },
    );
  }
}
