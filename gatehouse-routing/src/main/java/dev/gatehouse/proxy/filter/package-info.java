/**
 * The filter SPI and the Gateway API filters. A filter is compiled once per snapshot; per request it
 * answers a sealed {@link dev.gatehouse.proxy.filter.FilterResult} instead of touching the pipeline.
 */
package dev.gatehouse.proxy.filter;
