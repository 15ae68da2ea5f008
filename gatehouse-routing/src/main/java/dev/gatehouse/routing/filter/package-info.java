/**
 * The filter SPI and the Gateway API filters. {@link dev.gatehouse.routing.filter.FilterCompiler} turns each IR
 * filter into one immutable {@link dev.gatehouse.routing.filter.HttpFilter} per snapshot (one class per Gateway
 * API filter, named after it); per request it answers a sealed {@link dev.gatehouse.routing.filter.FilterResult}
 * instead of touching the pipeline. Header names are {@link io.netty.util.AsciiString}s and values are
 * validated at compile time; every {@code Respond} carries a response whose buffer the proxy releases.
 * Each filter names its Gateway API type, describes its compiled config and says whether it is side-effect
 * free, so explain can run it on a request that was never sent or merely describe it.
 */
package dev.gatehouse.routing.filter;
