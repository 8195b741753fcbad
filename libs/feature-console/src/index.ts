/** The trading console (issue #7 item 5): a web UI over the bus, served while the platform runs. */
export * from './console-state';
export * from './console-feed';
export * from './console-server';
