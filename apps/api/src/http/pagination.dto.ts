import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from '@conduit/domain';
import { Type as NestType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?limit=&cursor=` on every list. */
export class ListQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    description: 'Page size.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** Builds the `{data, nextCursor}` response class for an item DTO, documented for Swagger. */
export function PageResponse<T>(item: NestType<T>): NestType<{ data: T[]; nextCursor: string | null }> {
  class PageResponseDto {
    @ApiProperty({ type: [item] })
    data!: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` to get the next page; null on the last page.',
    })
    nextCursor!: string | null;
  }
  Object.defineProperty(PageResponseDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageResponseDto;
}

export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): { data: R[]; nextCursor: string | null } {
  return { data: page.data.map(map), nextCursor: page.nextCursor };
}
