import { ApiKey } from '../api-keys/api-key.entity';
import { Authorization } from '../authorizations/authorization.entity';
import { Collaboration, CollaborationMember } from '../collaborations/collaboration.entity';
import { Company } from '../companies/company.entity';
import { Destination, DestinationEvent, DestinationShare } from '../destinations/destination.entity';
import { Export, ExportEvent } from '../exports/export.entity';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { SchedulerInstance } from '../scheduler/scheduler-instance.entity';
import { DataSource, Segment } from '../segments/segment.entity';

/** Every entity, listed explicitly: no folder scanning, so compiled and test builds discover the same. */
export const ENTITIES = [
  Company,
  ApiKey,
  Collaboration,
  CollaborationMember,
  SchedulerInstance,
  Authorization,
  Destination,
  DestinationShare,
  DestinationEvent,
  DataSource,
  Segment,
  IdempotencyRecord,
  Export,
  ExportEvent,
];
