/** Request matching: per-port host index, per-host rule lists in Gateway API precedence order, precompiled matchers. */
package dev.gatehouse.proxy.route;
