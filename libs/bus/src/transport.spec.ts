/**
 * The same NestJS controller runs unchanged on the in-process transport and on real NATS (loopback,
 * NATS_URL or nats://127.0.0.1:4222): events with wildcards, ordering, request/reply.
 */
import 'reflect-metadata';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { BusTransport, busRequest, createBusClient, createBusServer, InProcessBroker, subjects } from './index';
import { decodeBookDeltaV1, ContractError } from './contracts';

const received: Array<{ subject: string; seq: number }> = [];

@Controller()
class ProbeController {
  @EventPattern('md.v1.p1.>')
  onMd(@Payload() data: { seq: number }, @Ctx() ctx: { getSubject(): string }) {
    received.push({ subject: ctx.getSubject(), seq: data.seq });
  }

  @MessagePattern('ctl.v1.probe.echo')
  echo(@Payload() data: { x: number }) {
    return { doubled: data.x * 2, count: received.length };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

describe.each<[string, () => BusTransport]>([
  ['in-process', () => ({ kind: 'in-process', broker: new InProcessBroker({ cloneMessages: true }) })],
  ['nats', () => ({ kind: 'nats', url: NATS_URL })],
])('NestJS microservice over the %s transport', (_name, makeTransport) => {
  let app: INestMicroservice;
  let transport: BusTransport;

  beforeAll(async () => {
    transport = makeTransport();
    app = await NestFactory.createMicroservice(ProbeModule, { strategy: createBusServer(transport), logger: false });
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    received.length = 0;
  });

  it('delivers wildcard events in publication order and answers requests', async () => {
    const client = createBusClient(transport);
    await client.connect();
    for (let seq = 1; seq <= 500; seq++) client.emit(subjects.md(1, seq % 2 ? 'delta' : 'snapshot', `T-${seq % 7}.5`), { seq });
    client.emit(subjects.md(2, 'delta', 'OTHER'), { seq: -1 }); // partition 2: not subscribed
    // request/reply goes through the same connection after the events, so it also acts as a barrier
    let reply = await busRequest<{ doubled: number; count: number }>(client, 'ctl.v1.probe.echo', { x: 21 });
    for (let i = 0; i < 100 && reply.count < 500; i++) {
      await new Promise((r) => setTimeout(r, 20));
      reply = await busRequest(client, 'ctl.v1.probe.echo', { x: 21 });
    }
    expect(reply.doubled).toBe(42);
    expect(received.map((r) => r.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(received[0].subject).toBe('md.v1.p1.delta.T-1~5');
    await client.close();
  });
});

describe('contracts', () => {
  it('refuse a wrong version or a bad field by name', () => {
    expect(() => decodeBookDeltaV1({ v: 2 })).toThrow(/unsupported version/);
    expect(() => decodeBookDeltaV1({ v: 1, marketTicker: 'X', sid: 1, seq: 1, side: 'up', priceTicks: 1, deltaCentis: 1, tsMs: 1 })).toThrow(ContractError);
    expect(() => decodeBookDeltaV1({ v: 1, marketTicker: 'X', sid: 1, seq: 1, side: 'yes', priceTicks: 0.5, deltaCentis: 1, tsMs: 1 })).toThrow(/priceTicks must be an integer/);
    expect(decodeBookDeltaV1({ v: 1, marketTicker: 'X', sid: 1, seq: 1, side: 'yes', priceTicks: 4200, deltaCentis: -184, tsMs: 1 }).deltaCentis).toBe(-184);
  });
});
