import { All, Body, Controller, Get, Headers, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { jurisdictionQuerySchema, parseOpen311, postRequestSchema, requestsQuerySchema } from './open311.dto.js';
import { Open311Error, Open311ErrorFilter, sendOpen311, splitFormat, type Open311Format } from './open311.format.js';
import { Open311Service } from './open311.service.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** `<name>.<xml|json>`, or the GeoReport 404 for anything else. */
function resource(file: string, names: string[] | undefined): [string, Open311Format] {
  const [name, format] = splitFormat(file);
  if (!format || (names && !names.includes(name))) throw Open311Error.notFound(`没有此资源：${file}（请求 .xml 或 .json）`);
  return [name, format];
}

/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the six methods, in XML (required) and JSON, errors as
 * the spec's error list in the same format. Validation is the spec's (zod, unknown fields ignored), not the
 * app's strict DTO pipe, because Open311 clients send fields of their own.
 */
@ApiTags('open311 GeoReport v2')
@UseFilters(Open311ErrorFilter)
@Controller('open311/v2')
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  @Get(':file')
  @ApiOperation({ summary: 'GET Service List (services.xml|json) 或 GET Service Requests (requests.xml|json)' })
  @ApiParam({ name: 'file', example: 'services.xml' })
  async list(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const [name, format] = resource(file, ['services', 'requests']);
    if (name === 'services') {
      this.open311.checkJurisdiction(parseOpen311(jurisdictionQuerySchema, query).jurisdiction_id);
      return sendOpen311(res, format, 'services', this.open311.services());
    }
    sendOpen311(res, format, 'service_requests', await this.open311.requests(parseOpen311(requestsQuerySchema, query)));
  }

  @Get('services/:file')
  @ApiOperation({ summary: 'GET Service Definition (services/{service_code}.xml|json)' })
  definition(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() res: Response): void {
    const [code, format] = resource(file, undefined);
    this.open311.checkJurisdiction(parseOpen311(jurisdictionQuerySchema, query).jurisdiction_id);
    sendOpen311(res, format, 'service_definition', this.open311.definition(code));
  }

  @Get('requests/:file')
  @ApiOperation({ summary: 'GET Service Request (requests/{service_request_id}.xml|json)' })
  async request(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const [id, format] = resource(file, undefined);
    this.open311.checkJurisdiction(parseOpen311(jurisdictionQuerySchema, query).jurisdiction_id);
    sendOpen311(res, format, 'service_requests', [await this.open311.request(id)]);
  }

  @Get('tokens/:file')
  @ApiOperation({ summary: 'GET service_request_id from a token (tokens/{token}.xml|json)' })
  async token(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const [token, format] = resource(file, undefined);
    this.open311.checkJurisdiction(parseOpen311(jurisdictionQuerySchema, query).jurisdiction_id);
    sendOpen311(res, format, 'service_requests', [await this.open311.token(token)]);
  }

  @Post(':file')
  @ApiOperation({
    summary: 'POST Service Request (requests.xml|json, application/x-www-form-urlencoded, api_key 必填)',
    description: '可带 Idempotency-Key 头；不带时，同一 api_key 在 10 分钟内的相同请求视为重试，只生成一件诉求。',
  })
  async post(
    @Param('file') file: string,
    @Body() body: Record<string, unknown>,
    @Query('api_key') queryKey: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const [, format] = resource(file, ['requests']);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw Open311Error.invalid('Idempotency-Key 须为 8 到 128 个字母、数字或 _ . : - 字符');
    }
    const input = parseOpen311(postRequestSchema, { api_key: queryKey, ...(body ?? {}) });
    const { replayed, ...answer } = await this.open311.submit(input, idempotencyKey);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    sendOpen311(res, format, 'service_requests', [answer], replayed ? 200 : 201);
  }

  /** Anything else under /open311/v2 answers the spec's 404 in the spec's format, not the app's JSON error. */
  @All('*path')
  unknown(@Req() req: Request): never {
    throw Open311Error.notFound(`没有此资源：${req.path}（not found）`);
  }
}

/** When this endpoint's description last changed (Service Discovery `changeset`). */
const CHANGESET = '2026-11-27T00:00:00+08:00';

/** Service Discovery (wiki.open311.org/Service_Discovery), which GeoReport v2 servers are required to offer. */
@ApiTags('open311 GeoReport v2')
@UseFilters(Open311ErrorFilter)
@Controller('open311')
export class Open311DiscoveryController {
  @Get(':file')
  @ApiOperation({ summary: 'Service Discovery (discovery.xml|json)' })
  discovery(@Param('file') file: string, @Req() req: Request, @Res() res: Response): void {
    const [, format] = resource(file, ['discovery']);
    sendOpen311(res, format, 'discovery', {
      changeset: CHANGESET,
      contact: '问政平台管理员（平台运营单位）',
      key_service: 'API key 由平台管理员为客户端应用签发（POST /open311/admin/keys）',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${req.protocol}://${req.get('host') ?? 'localhost'}/open311/v2`,
          changeset: CHANGESET,
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    });
  }
}
