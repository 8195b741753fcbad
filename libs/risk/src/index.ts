/** Pre-trade risk checks, circuit breaker and kill switch (issue #5). Domain: no framework, no I/O. */
