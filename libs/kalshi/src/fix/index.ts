/** Kalshi FIX order entry (KalshiNR session, FIXT.1.1 / FIX50SP2) over jspurefix: client, logon signing, dictionary. */
export * from './fix-order-client';
