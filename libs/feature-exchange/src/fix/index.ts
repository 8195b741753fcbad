/** FIX order-entry acceptor of the mock exchange (Kalshi KalshiNR dialect, jspurefix). */
export * from './fix-acceptor';
export * from './fix-mapping';
