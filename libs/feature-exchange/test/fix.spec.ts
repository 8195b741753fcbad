/**
 * FIX acceptor (KalshiNR dialect) driven by a real jspurefix INITIATOR over TCP: signed logon (tag 96), order entry,
 * replace, cancel, fills between two accounts, mass cancel, session-level requests, refused logons, garbage input.
 * The mapping layer (fix-mapping.ts) is unit-tested first.
 */
import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import {
  AsciiSession,
  AsciiSessionMsgFactory,
  DITokens,
  EmptyLogFactory,
  JsFixConfig,
  SessionContainer,
  type FixDefinitions,
  type FixEntity,
  type IJsFixConfig,
  type ILooseObject,
  type ISessionDescription,
  type IStandardHeader,
  type MsgView,
} from 'jspurefix';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { KeyRegistry } from '../src/auth/key-registry';
import { Venue } from '../src/venue/venue';
import { kalshiFixDefinitions, startFixAcceptor, type FixAcceptorHandle } from '../src/fix/fix-acceptor';
import {
  buildExecutionReport,
  formatAvgPx,
  formatUtcTimestamp,
  logonSigningString,
  parseCancelRequest,
  parseFixPrice,
  parseFixQty,
  parseMassCancelRequest,
  parseNewOrderSingle,
  parseReplaceRequest,
  parseUtcTimestamp,
  signLogon,
  verifyLogonSignature,
  type FieldGetter,
} from '../src/fix/fix-mapping';

const fields = (o: Record<number, string>): FieldGetter => (t) => o[t];

describe('fix-mapping', () => {
  it('parses wire prices and quantities exactly (no floats)', () => {
    expect(parseFixPrice('0.42')).toBe(4200);
    expect(parseFixPrice('0.4213')).toBe(4213);
    expect(parseFixPrice('.5')).toBe(5000);
    for (const bad of ['0', '1', '1.5', '0.42135', '-0.1', 'abc', '', '1e-2', ' 0.4']) expect(parseFixPrice(bad)).toBeNaN();
    expect(parseFixQty('10')).toBe(1000);
    expect(parseFixQty('2.5')).toBe(250);
    expect(parseFixQty('2.50')).toBe(250);
    for (const bad of ['0', '0.00', '1.234', '-1', 'x']) expect(parseFixQty(bad)).toBeNaN();
  });

  it('maps NewOrderSingle: 54=1 buys YES, 54=2 sells YES at the same YES price; TimeInForce and ExecInst', () => {
    const base = { 11: 'c1', 38: '10', 40: '2', 44: '0.42', 54: '1', 55: 'MKT' };
    const buy = parseNewOrderSingle(fields(base));
    expect(buy).toEqual({
      ok: true,
      value: { clOrdId: 'c1', fixSide: '1', yesPriceTicks: 4200, sizeCentis: 1000, input: { marketTicker: 'MKT', side: 'yes', action: 'buy', priceTicks: 4200, sizeCentis: 1000, clientOrderId: 'c1', timeInForce: 'good_till_canceled' } },
    });
    const sell = parseNewOrderSingle(fields({ ...base, 54: '2', 59: '3', 18: '6' }));
    expect(sell.ok && sell.value.input).toMatchObject({ side: 'yes', action: 'sell', priceTicks: 4200, timeInForce: 'immediate_or_cancel', postOnly: true });
    expect(parseNewOrderSingle(fields({ ...base, 59: '0' })).ok && true).toBe(true);
    const fok = parseNewOrderSingle(fields({ ...base, 59: '4' }));
    expect(fok.ok && fok.value.input.timeInForce).toBe('fill_or_kill');
    const gtd = parseNewOrderSingle(fields({ ...base, 59: '6', 126: '20260701-12:00:00.250' }));
    expect(gtd.ok && gtd.value.input).toMatchObject({ timeInForce: 'good_till_canceled', expirationTsMs: Date.UTC(2026, 6, 1, 12, 0, 0, 250) });
    const rejects: Array<[Record<number, string>, RegExp]> = [
      [{ ...base, 40: '1' }, /OrdType/],
      [{ ...base, 54: '3' }, /Side/],
      [{ ...base, 44: '0.00001' }, /Price/],
      [{ ...base, 38: '0' }, /OrderQty/],
      [{ ...base, 11: 'bad id!' }, /ClOrdID/],
      [{ ...base, 11: 'x'.repeat(65) }, /ClOrdID/],
      [{ ...base, 59: '2' }, /TimeInForce/],
      [{ ...base, 59: '6' }, /ExpireTime/],
      [{ ...base, 18: '6 E' }, /ExecInst/],
      [{ 11: 'c', 38: '1', 40: '2', 44: '0.5', 54: '1' }, /Symbol/],
    ];
    for (const [f, re] of rejects) {
      const r = parseNewOrderSingle(fields(f));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(re);
    }
  });

  it('maps cancel, replace (new TOTAL quantity) and mass cancel requests', () => {
    expect(parseCancelRequest(fields({ 11: 'c2', 41: 'c1' }))).toEqual({ ok: true, value: { clOrdId: 'c2', origClOrdId: 'c1' } });
    expect(parseCancelRequest(fields({ 11: 'c2' })).ok).toBe(false);
    expect(parseReplaceRequest(fields({ 11: 'c3', 37: 'o1', 44: '0.45', 38: '12' }))).toEqual({ ok: true, value: { clOrdId: 'c3', orderId: 'o1', yesPriceTicks: 4500, totalCentis: 1200 } });
    expect(parseReplaceRequest(fields({ 11: 'c3', 37: 'o1' })).ok).toBe(false);
    expect(parseReplaceRequest(fields({ 11: 'c3', 37: 'o1', 40: '1', 44: '0.4' })).ok).toBe(false);
    expect(parseMassCancelRequest(fields({ 11: 'm', 530: '7' }))).toEqual({ ok: true, value: { clOrdId: 'm', requestType: '7' } });
    expect(parseMassCancelRequest(fields({ 11: 'm', 530: '1', 55: 'MKT' }))).toEqual({ ok: true, value: { clOrdId: 'm', requestType: '1', symbol: 'MKT' } });
    expect(parseMassCancelRequest(fields({ 11: 'm', 530: '1' })).ok).toBe(false);
    expect(parseMassCancelRequest(fields({ 11: 'm', 530: '3' })).ok).toBe(false);
  });

  it('formats AvgPx exactly and builds ExecutionReports with wire strings', () => {
    expect(formatAvgPx(0, 0)).toBe('0');
    expect(formatAvgPx(4500 * 400, 400)).toBe('0.4500');
    expect(formatAvgPx(4500 * 100 + 4600 * 200, 300)).toBe('0.456667'); // 0.456666.. rounded half-up
    const er = buildExecutionReport({
      execId: 'E1', execType: 'F', ordStatus: '1', orderId: 'o1', clOrdId: 'c1', symbol: 'MKT', fixSide: '2', yesPriceTicks: 4200,
      orderQtyCentis: 1000, cumCentis: 250, leavesCentis: 750, yesCostMicros: 4300 * 250, lastPxTicks: 4300, lastQtyCentis: 250, tradeId: 'T1', transactTimeMs: 0,
    });
    expect(er).toMatchObject({ ExecType: 'F', OrdStatus: '1', Side: '2', Price: '0.4200', OrderQtyData: { OrderQty: '10.00' }, CumQty: '2.50', LeavesQty: '7.50', AvgPx: '0.4300', LastPx: '0.4300', LastQty: '2.50', TrdMatchID: 'T1', Instrument: { Symbol: 'MKT' } });
  });

  it('parses UTCTimestamps and signs / verifies the Kalshi logon string (RSA-PSS, salt 32)', () => {
    expect(parseUtcTimestamp('20260701-12:34:56.789')).toBe(Date.UTC(2026, 6, 1, 12, 34, 56, 789));
    expect(parseUtcTimestamp('20260701-12:34:56')).toBe(Date.UTC(2026, 6, 1, 12, 34, 56));
    expect(parseUtcTimestamp('20260701-12:34:56.789123')).toBe(Date.UTC(2026, 6, 1, 12, 34, 56, 789));
    for (const bad of ['20260231-00:00:00', '2026-07-01T00:00:00Z', '', '20260701-25:00:00']) expect(parseUtcTimestamp(bad)).toBeNaN();
    expect(formatUtcTimestamp(Date.UTC(2026, 6, 1, 2, 3, 4, 5))).toBe('20260701-02:03:04.005');
    const { privateKeyPem, publicKeyPem } = generateKalshiKeyPair();
    const f = { sendingTime: '20260701-12:00:00.000', msgType: 'A', msgSeqNum: '1', senderCompId: 'key', targetCompId: 'KalshiNR' };
    expect(logonSigningString(f)).toBe('20260701-12:00:00.000\x01A\x011\x01key\x01KalshiNR');
    const sig = signLogon(privateKeyPem, f);
    const pub = crypto.createPublicKey(publicKeyPem);
    expect(crypto.verify('sha256', Buffer.from(logonSigningString(f)), { key: pub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verifyLogonSignature(pub, f, sig)).toBe(true);
    expect(verifyLogonSignature(pub, { ...f, msgSeqNum: '2' }, sig)).toBe(false);
    expect(verifyLogonSignature(pub, f, 'not base64!')).toBe(false);
    expect(verifyLogonSignature(pub, f, 'AAAA')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------- jspurefix client

/** Received application message: its type and the wire text of the tags the tests look at. */
interface Rx {
  type: string;
  t: Record<number, string>;
}
const WATCHED = [6, 11, 14, 17, 31, 32, 37, 38, 39, 41, 44, 54, 55, 58, 59, 102, 103, 151, 150, 380, 434, 530, 531, 532, 533, 880];

/** Session message factory that stamps the Logon's SendingTime chosen by {@link FixClient.sendLogon} (it is signed). */
class SigningMsgFactory extends AsciiSessionMsgFactory {
  logonSendingTime: string | null = null;

  override header(msgType: string, seqNum: number, time: Date, overrideData?: Partial<IStandardHeader>): ILooseObject {
    const h = super.header(msgType, seqNum, time, overrideData);
    if (msgType === 'A' && this.logonSendingTime) h.SendingTime = this.logonSendingTime;
    return h;
  }
}

interface ClientOptions {
  keyId: string;
  privateKey: crypto.KeyObject;
  /** sign with this key instead (forged signature) */
  signWith?: crypto.KeyObject;
  /** SendingTime offset from now, ms (stale logon) */
  sendingTimeOffsetMs?: number;
  heartBtInt?: number;
  logonExtra?: ILooseObject;
}

/** A jspurefix initiator session: signs its Logon (tag 96), records what it receives. */
class FixClient extends AsciiSession {
  readonly rx: Rx[] = [];
  /** every decoded message, '|' delimited */
  readonly raw: string[] = [];
  readonly ready: Promise<void>;
  readonly stopped: Promise<Error | undefined>;
  private resolveReady!: () => void;
  private resolveStopped!: (e: Error | undefined) => void;

  constructor(config: IJsFixConfig, private readonly opts: ClientOptions) {
    super(config);
    this.ready = new Promise((r) => (this.resolveReady = r));
    this.stopped = new Promise((r) => (this.resolveStopped = r));
    this.on('error', () => undefined);
  }

  /** Kalshi logon: RawData (96) = signature of SendingTime, MsgType, MsgSeqNum, SenderCompID, TargetCompID. */
  override sendLogon(): void {
    const factory = this.config.factory as SigningMsgFactory;
    const seq = (this.transport?.transmitter as unknown as { msgSeqNum: number }).msgSeqNum;
    const sendingTime = formatUtcTimestamp(Date.now() + (this.opts.sendingTimeOffsetMs ?? 0));
    factory.logonSendingTime = sendingTime;
    const sig = signLogon(this.opts.signWith ?? this.opts.privateKey, { sendingTime, msgType: 'A', msgSeqNum: String(seq), senderCompId: this.opts.keyId, targetCompId: 'KalshiNR' });
    const logon = factory.logon();
    logon.RawDataLength = sig.length;
    logon.RawData = sig;
    this.send('A', logon);
  }

  app(msgType: string, body: ILooseObject): void {
    this.send(msgType, body);
  }

  testRequest(id: string): void {
    this.send('1', { TestReqID: id });
  }

  resendRequest(from: number, to: number): void {
    this.send('2', { BeginSeqNo: from, EndSeqNo: to });
  }

  logout(): void {
    this.done();
  }

  /** Waits for an application message matching `pred` (received after index `from`). */
  async next(pred: (m: Rx) => boolean, what: string, timeoutMs = 5_000): Promise<Rx> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.rx.find(pred);
      if (m) return m;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.rx.map((x) => [x.type, x.t[150], x.t[11]]))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    const t: Record<number, string> = {};
    for (const tag of WATCHED) {
      const v = view.getString(tag);
      if (v !== null) t[tag] = v;
    }
    this.rx.push({ type: msgType, t });
  }

  protected override onDecoded(_msgType: string, txt: string): void {
    this.raw.push(txt);
  }

  /** every message sent, '|' delimited */
  readonly sent: string[] = [];

  protected override onEncoded(_msgType: string, txt: string): void {
    this.sent.push(txt);
  }

  protected override onLogon(): boolean {
    return true;
  }

  protected override onReady(): void {
    this.resolveReady();
  }

  protected override onStopped(error?: Error): void {
    this.resolveStopped(error);
  }
}

let clientDefs: FixDefinitions;

/** Starts a jspurefix initiator (TcpInitiatorConnector from the DI container, as jspurefix's samples do) on `port`. */
function connect(port: number, opts: ClientOptions): { client: FixClient; ended: Promise<unknown> } {
  const description = {
    application: { name: `client-${opts.keyId}`, type: 'initiator', protocol: 'ascii', dictionary: 'data/FIX50SP2.xml', tcp: { host: '127.0.0.1', port }, reconnectSeconds: 1, connectTimeoutSeconds: 5, resilient: false },
    Name: opts.keyId,
    SenderCompId: opts.keyId,
    TargetCompID: 'KalshiNR',
    BeginString: 'FIXT.1.1',
    HeartBtInt: opts.heartBtInt ?? 30,
    ResetSeqNumFlag: true,
    Logon: { DefaultApplVerID: '9', Username: null, Password: null, ...opts.logonExtra },
  } as unknown as ISessionDescription;
  const factory = new SigningMsgFactory(description);
  const sc = new SessionContainer(() => factory);
  const child = sc.newChild(description);
  const config = new JsFixConfig(factory, clientDefs, description, 1, new EmptyLogFactory());
  sc.registerSession(config, child);
  let client: FixClient | undefined;
  child.register(DITokens.FixSession, { useFactory: (c) => (client = new FixClient(c.resolve<IJsFixConfig>(DITokens.IJsFixConfig), opts)) });
  const entity = child.resolve<FixEntity>(DITokens.FixEntity);
  const ended = entity.start().catch((e: Error) => e);
  if (!client) throw new Error('session not created');
  return { client, ended };
}

// ---------------------------------------------------------------------------------------------------- end to end

const MKT = 'KXFIXTEST-26JUL01-T1';
const MKT2 = 'KXFIXTEST-26JUL01-T2';
const now = () => new Date();

describe('FIX acceptor over TCP (jspurefix initiator)', () => {
  const a = generateKalshiKeyPair();
  const b = generateKalshiKeyPair();
  const keyA = { keyId: 'fix-key-a', privateKey: crypto.createPrivateKey(a.privateKeyPem) };
  const keyB = { keyId: 'fix-key-b', privateKey: crypto.createPrivateKey(b.privateKeyPem) };
  const c3 = generateKalshiKeyPair();
  const keyC = { keyId: 'fix-key-hb', privateKey: crypto.createPrivateKey(c3.privateKeyPem) };
  const logs: string[] = [];
  let venue: Venue;
  let acceptor: FixAcceptorHandle;
  let A: FixClient;
  let B: FixClient;
  const clients: Array<{ client: FixClient; ended: Promise<unknown> }> = [];

  const login = async (opts: ClientOptions): Promise<FixClient> => {
    const c = connect(acceptor.port, opts);
    clients.push(c);
    await Promise.race([c.client.ready, c.client.stopped.then((e) => Promise.reject(new Error(`logon failed: ${e?.message}`)))]);
    return c.client;
  };
  const order = (clOrdId: string, side: '1' | '2', qty: string, price: string, extra: ILooseObject = {}) => ({
    ClOrdID: clOrdId,
    Instrument: { Symbol: MKT },
    Side: side,
    TransactTime: now(),
    OrderQtyData: { OrderQty: qty },
    OrdType: '2',
    Price: price,
    ...extra,
  });

  beforeAll(async () => {
    const keys = new KeyRegistry();
    keys.add(a.publicKeyPem, keyA.keyId, 'acct-a');
    keys.add(b.publicKeyPem, keyB.keyId, 'acct-b');
    keys.add(c3.publicKeyPem, keyC.keyId, 'acct-c');
    venue = new Venue({ keys, expiryCheckMs: 0 });
    await venue.createMarket({ marketTicker: MKT, fractionalTradingEnabled: true, tickStructure: 'deci_cent' });
    await venue.createMarket({ marketTicker: MKT2 });
    await venue.createAccount('acct-a', 100_000_000);
    await venue.createAccount('acct-b', 100_000_000);
    await venue.createAccount('acct-c', 100_000_000);
    [clientDefs, acceptor] = await Promise.all([kalshiFixDefinitions(), startFixAcceptor({ host: '127.0.0.1', port: 0, venue, log: (m) => logs.push(m), logonTimeoutMs: 1_000 })]);
    A = await login({ ...keyA, heartBtInt: 10 });
    B = await login(keyB);
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.client.logout();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(clients.map((c) => c.ended)), new Promise((r) => (timer = setTimeout(r, 3_000)))]);
    clearTimeout(timer);
    await acceptor?.close();
    await venue?.close();
    if (process.env.FIX_SPEC_LOG) process.stdout.write(`${logs.join('\n')}\n`);
  });

  it('answers a signed Logon with its own Logon (FIXT.1.1, 1137=9, the client HeartBtInt, 141=Y)', () => {
    const logon = A.raw.find((m) => m.includes('|35=A|'));
    expect(logon).toBeDefined();
    expect(logon).toMatch(/^8=FIXT\.1\.1\|/);
    expect(logon).toContain('|49=KalshiNR|');
    expect(logon).toContain(`|56=${keyA.keyId}|`);
    expect(logon).toContain('|108=10|');
    expect(logon).toContain('|141=Y|');
    expect(logon).toContain('|1137=9|');
    expect(acceptor.stats.logons).toBeGreaterThanOrEqual(2);
  });

  it('places, replaces (price and new total quantity) and cancels an order, with ExecutionReports', async () => {
    A.app('D', order('a-1', '1', '10', '0.42', { TimeInForce: '1' }));
    const neu = await A.next((m) => m.type === '8' && m.t[11] === 'a-1' && m.t[150] === '0', 'New');
    expect(neu.t).toMatchObject({ 39: '0', 38: '10.00', 44: '0.4200', 54: '1', 55: MKT, 14: '0.00', 151: '10.00', 59: '1' });
    const orderId = neu.t[37];
    expect(venue.engine.getOrder(orderId)).toMatchObject({ side: 'yes', action: 'buy', priceTicks: 4200, remainingCentis: 1000, clientOrderId: 'a-1' });

    A.app('G', { ClOrdID: 'a-2', OrigClOrdID: 'a-1', Instrument: { Symbol: MKT }, Side: '1', TransactTime: now(), OrderQtyData: { OrderQty: '12' }, OrdType: '2', Price: '0.41' });
    const rep = await A.next((m) => m.type === '8' && m.t[11] === 'a-2', 'Replaced');
    expect(rep.t).toMatchObject({ 150: '5', 39: '5', 41: 'a-1', 37: orderId, 44: '0.4100', 38: '12.00', 151: '12.00', 14: '0.00' });
    expect(venue.engine.getOrder(orderId)).toMatchObject({ priceTicks: 4100, remainingCentis: 1200 });

    A.app('F', { ClOrdID: 'a-3', OrigClOrdID: 'a-2', Instrument: { Symbol: MKT }, Side: '1', TransactTime: now() });
    const cxl = await A.next((m) => m.type === '8' && m.t[11] === 'a-3', 'Canceled');
    expect(cxl.t).toMatchObject({ 150: '4', 39: '4', 41: 'a-2', 37: orderId, 151: '0.00', 14: '0.00' });
    expect(venue.engine.getOrder(orderId)).toBeUndefined();
    const execIds = A.rx.filter((m) => m.type === '8').map((m) => m.t[17]);
    expect(new Set(execIds).size).toBe(execIds.length);
  });

  it('a fill against another account resting order gives both sides a Trade report (54=2 sells YES)', async () => {
    A.app('D', order('a-10', '1', '10', '0.45'));
    const rest = await A.next((m) => m.t[11] === 'a-10' && m.t[150] === '0', 'New a-10');
    B.app('D', order('b-1', '2', '4', '0.40', { TimeInForce: '3' }));
    const bTrade = await B.next((m) => m.t[11] === 'b-1' && m.t[150] === 'F', 'B trade');
    expect(bTrade.t).toMatchObject({ 39: '2', 54: '2', 31: '0.4500', 32: '4.00', 14: '4.00', 151: '0.00', 6: '0.4500', 44: '0.4000' });
    const aTrade = await A.next((m) => m.t[11] === 'a-10' && m.t[150] === 'F', 'A trade');
    expect(aTrade.t).toMatchObject({ 39: '1', 37: rest.t[37], 31: '0.4500', 32: '4.00', 14: '4.00', 151: '6.00', 6: '0.4500', 880: bTrade.t[880] });
    expect(venue.engine.getPosition('acct-b', MKT)?.positionCentis).toBe(-400);

    // replace: OrderQty is the new TOTAL (8 = 4 filled + 4 open)
    A.app('G', { ClOrdID: 'a-11', OrderID: rest.t[37], Instrument: { Symbol: MKT }, Side: '1', TransactTime: now(), OrderQtyData: { OrderQty: '8' }, OrdType: '2', Price: '0.45' });
    const rep = await A.next((m) => m.t[11] === 'a-11', 'Replaced a-11');
    expect(rep.t).toMatchObject({ 150: '5', 39: '5', 41: 'a-10', 38: '8.00', 14: '4.00', 151: '4.00', 6: '0.4500' });
    expect(venue.engine.getOrder(rest.t[37])?.remainingCentis).toBe(400);
    // a total at or below the filled quantity is refused
    A.app('G', { ClOrdID: 'a-12', OrigClOrdID: 'a-11', Instrument: { Symbol: MKT }, Side: '1', TransactTime: now(), OrderQtyData: { OrderQty: '4' }, OrdType: '2' });
    const rej = await A.next((m) => m.type === '9' && m.t[11] === 'a-12', 'reject a-12');
    expect(rej.t).toMatchObject({ 434: '2', 39: '1', 41: 'a-11' });
    A.app('F', { ClOrdID: 'a-13', OrigClOrdID: 'a-11', TransactTime: now() });
    await A.next((m) => m.t[11] === 'a-13' && m.t[150] === '4', 'cancel a-13');
  });

  it('mass cancel by symbol (530=1) and of all orders (530=7) answers OrderMassCancelReport', async () => {
    A.app('D', order('a-20', '1', '1', '0.10'));
    A.app('D', order('a-21', '1', '2', '0.11'));
    A.app('D', { ...order('a-22', '2', '1', '0.90'), Instrument: { Symbol: MKT2 } });
    await A.next((m) => m.t[11] === 'a-22' && m.t[150] === '0', 'New a-22');
    A.app('q', { ClOrdID: 'mc-1', MassCancelRequestType: '1', Instrument: { Symbol: MKT }, TransactTime: now() });
    const r1 = await A.next((m) => m.type === 'r' && m.t[11] === 'mc-1', 'mass cancel report 1');
    expect(r1.t).toMatchObject({ 530: '1', 531: '1', 533: '2' });
    expect(A.rx.filter((m) => m.t[150] === '4' && (m.t[11] === 'a-20' || m.t[11] === 'a-21'))).toHaveLength(2);
    expect(venue.engine.listOrders({ accountId: 'acct-a' }).map((o) => o.clientOrderId)).toEqual(['a-22']);
    A.app('q', { ClOrdID: 'mc-2', MassCancelRequestType: '7', TransactTime: now() });
    const r7 = await A.next((m) => m.type === 'r' && m.t[11] === 'mc-2', 'mass cancel report 7');
    expect(r7.t).toMatchObject({ 530: '7', 531: '7', 533: '1' });
    expect(venue.engine.listOrders({ accountId: 'acct-a' })).toHaveLength(0);
    A.app('q', { ClOrdID: 'mc-3', MassCancelRequestType: '3', TransactTime: now() });
    const r0 = await A.next((m) => m.type === 'r' && m.t[11] === 'mc-3', 'refused mass cancel');
    expect(r0.t).toMatchObject({ 531: '0', 533: '0' });
  });

  it('refuses bad orders with ExecutionReport 150=8 and unknown cancels with OrderCancelReject', async () => {
    A.app('D', order('a-30', '1', '1', '1.5'));
    const badPx = await A.next((m) => m.t[11] === 'a-30', 'reject a-30');
    expect(badPx.t).toMatchObject({ 150: '8', 39: '8', 37: 'NONE' });
    expect(badPx.t[58]).toMatch(/Price/);
    A.app('D', { ...order('a-31', '1', '1', '0.5'), Instrument: { Symbol: 'NO-SUCH-MARKET' } });
    const unknown = await A.next((m) => m.t[11] === 'a-31', 'reject a-31');
    expect(unknown.t).toMatchObject({ 150: '8', 39: '8', 103: '1' });
    A.app('D', order('a-32', '1', '1.5', '0.5', { Instrument: { Symbol: MKT2 } }));
    const frac = await A.next((m) => m.t[11] === 'a-32', 'reject a-32');
    expect(frac.t).toMatchObject({ 150: '8', 103: '13' });
    A.app('D', order('a-33', '1', '1', '0.5', { OrdType: '1' }));
    expect((await A.next((m) => m.t[11] === 'a-33', 'reject a-33')).t[150]).toBe('8');
    A.app('F', { ClOrdID: 'a-34', OrigClOrdID: 'never-sent', TransactTime: now() });
    const cxlRej = await A.next((m) => m.type === '9' && m.t[11] === 'a-34', 'cancel reject');
    expect(cxlRej.t).toMatchObject({ 434: '1', 102: '1', 41: 'never-sent', 37: 'NONE' });
    A.app('G', { ClOrdID: 'a-35', OrderID: 'no-such-order', Instrument: { Symbol: MKT }, Side: '1', TransactTime: now(), OrderQtyData: { OrderQty: '1' }, OrdType: '2', Price: '0.3' });
    expect((await A.next((m) => m.type === '9' && m.t[11] === 'a-35', 'replace reject')).t).toMatchObject({ 434: '2', 102: '1' });
    // fractional quantities where the market allows them
    // fractional quantities where the market allows them; no TransactTime (as in Kalshi's example); 2964=2 (STP maker)
    const { TransactTime: _omitted, ...noTime } = order('a-36', '1', '2.50', '0.333', { SelfMatchPreventionInstruction: '2' });
    A.app('D', noTime);
    const frac2 = await A.next((m) => m.t[11] === 'a-36' && m.t[150] === '0', 'New a-36');
    expect(frac2.t).toMatchObject({ 38: '2.50', 151: '2.50', 44: '0.3330' });
    expect(venue.engine.getOrder(frac2.t[37])).toMatchObject({ priceTicks: 3330, remainingCentis: 250, selfTradePrevention: 'maker' });
    A.app('F', { ClOrdID: 'a-37', OrderID: frac2.t[37], TransactTime: now() });
    await A.next((m) => m.t[11] === 'a-37' && m.t[150] === '4', 'cancel a-37');
  });

  it('reports orders placed over REST on the account FIX session (NO side shown in YES terms) and cancels them by ClOrdID', async () => {
    const r = await venue.placeOrder('acct-a', { marketTicker: MKT, side: 'no', action: 'buy', priceTicks: 7000, sizeCentis: 200, clientOrderId: 'rest-1' }, 'rest');
    expect(r.ok).toBe(true);
    const neu = await A.next((m) => m.t[11] === 'rest-1' && m.t[150] === '0', 'New rest-1');
    expect(neu.t).toMatchObject({ 54: '2', 44: '0.3000', 38: '2.00' });
    expect(B.rx.some((m) => m.t[11] === 'rest-1')).toBe(false);
    A.app('F', { ClOrdID: 'a-40', OrigClOrdID: 'rest-1', TransactTime: now() });
    expect((await A.next((m) => m.t[11] === 'a-40', 'cancel rest-1')).t).toMatchObject({ 150: '4', 41: 'rest-1' });
  });

  it('handles TestRequest, ResendRequest (SequenceReset-GapFill) and rejects unsupported application messages', async () => {
    A.testRequest('ping-42');
    await waitFor(() => A.raw.some((m) => m.includes('|35=0|') && m.includes('|112=ping-42|')), 'Heartbeat 112=ping-42');
    A.resendRequest(1, 0);
    await waitFor(() => A.raw.some((m) => m.includes('|35=4|') && m.includes('|123=Y|')), 'SequenceReset-GapFill');
    const gap = A.raw.find((m) => m.includes('|35=4|')) as string;
    expect(gap).toContain('|34=1|');
    expect(gap).toContain('|43=Y|');
    A.app('H', { ClOrdID: 'st-1', Instrument: { Symbol: MKT }, Side: '1' });
    const j = await A.next((m) => m.type === 'j', 'BusinessMessageReject');
    expect(j.t[380]).toBe('3');
    // the session still works
    A.app('D', order('a-50', '1', '1', '0.05'));
    await A.next((m) => m.t[11] === 'a-50' && m.t[150] === '0', 'New a-50');
  });

  it('heartbeats at the client HeartBtInt; CancelOrdersOnDisconnect (8013=Y) cancels the account orders at logout', async () => {
    const c = await login({ ...keyC, heartBtInt: 3, logonExtra: { CancelOrdersOnDisconnect: true } });
    c.app('D', order('c-1', '1', '1', '0.20'));
    const neu = await c.next((m) => m.t[11] === 'c-1' && m.t[150] === '0', 'New c-1');
    const t0 = Date.now();
    // (jspurefix stamps its own heartbeats with a TestReqID (112) holding the time)
    await waitFor(() => c.raw.some((m) => m.includes('|35=0|')), 'acceptor heartbeat', 6_000);
    expect(Date.now() - t0).toBeGreaterThan(2_000);
    c.logout();
    await c.stopped;
    await waitFor(() => venue.engine.getOrder(neu.t[37]) === undefined, 'cancel on disconnect');
  }, 15_000);

  it('refuses a forged signature, a stale SendingTime, an unknown key and a missing 141=Y with a Logout', async () => {
    const other = crypto.createPrivateKey(generateKalshiKeyPair().privateKeyPem);
    const cases: Array<[ClientOptions, RegExp]> = [
      [{ ...keyA, signWith: other }, /signature mismatch/],
      [{ ...keyA, sendingTimeOffsetMs: -60_000 }, /stale SendingTime/],
      [{ ...keyA, sendingTimeOffsetMs: 30_000 }, /stale SendingTime/],
      [{ keyId: 'no-such-key', privateKey: keyA.privateKey }, /unknown API key/],
      [{ keyId: 'fix-key-c', privateKey: keyA.privateKey, logonExtra: { ResetSeqNumFlag: false } }, /ResetSeqNumFlag/],
    ];
    const before = acceptor.stats.logonsRejected;
    for (const [opts, reason] of cases) {
      const c = connect(acceptor.port, opts);
      const err = await c.client.stopped;
      expect(err).toBeDefined();
      const logout = c.client.raw.find((m) => m.includes('|35=5|'));
      expect(logout).toMatch(reason);
      expect(c.client.raw.some((m) => m.includes('|35=A|'))).toBe(false);
      await c.ended;
    }
    expect(acceptor.stats.logonsRejected - before).toBe(cases.length);
    // the refused logons named key A: its live session is untouched
    expect(await isAlive(A)).toBe(true);
  });

  it('survives garbage bytes, a message before logon and a bad checksum; still accepts logons', async () => {
    const send = (bytes: string) =>
      new Promise<void>((resolve) => {
        const s = net.connect(acceptor.port, '127.0.0.1', () => s.end(bytes));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
    await send('hello, this is not FIX\r\n\x00\xff\n');
    await send('8=FIXT.1.1\x019=5\x0135=D\x0110=000\x01');
    await send(`8=FIXT.1.1\x019=60\x0135=D\x0134=1\x0149=fix-key-b\x0152=${formatUtcTimestamp(Date.now())}\x0156=KalshiNR\x0111=x\x0110=999\x01`);
    await send('8=FIXT.1.1\x019=99999999\x0135=A\x01' + 'x'.repeat(200_000));
    // a connection that sends half a message and waits is closed at the logon timeout (1 s here)
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const s = net.connect(acceptor.port, '127.0.0.1', () => s.write('8=FIXT.1.1\x019=3\x0135='));
      s.on('error', () => undefined);
      s.on('close', () => resolve());
      s.resume();
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    // garbage on a logged-on session ends that session only
    (B as unknown as { transport: { duplex: { writable: NodeJS.WritableStream } } }).transport.duplex.writable.write('8=FIXT.1.1\x019=3\x0135=\x01\x01\x01garbage8=FIXT.1.1\x01');
    const sessions = acceptor.stats.activeSessions;
    await waitFor(() => acceptor.stats.activeSessions === sessions - 1, 'session B ended by the acceptor');
    expect(await isAlive(A)).toBe(true);
    const c = await login({ keyId: keyB.keyId, privateKey: keyB.privateKey });
    B = c;
    B.app('D', order('b-60', '1', '1', '0.02'));
    await B.next((m) => m.t[11] === 'b-60' && m.t[150] === '0', 'New b-60');
    expect(acceptor.stats.connections).toBeGreaterThanOrEqual(4);
  }, 15_000);
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether the client's session is still up (it answers a TestRequest). */
async function isAlive(c: FixClient): Promise<boolean> {
  const id = `alive-${Date.now()}`;
  c.testRequest(id);
  try {
    await waitFor(() => c.raw.some((m) => m.includes(`|112=${id}|`)), 'heartbeat', 1_000);
    return true;
  } catch {
    return false;
  }
}
