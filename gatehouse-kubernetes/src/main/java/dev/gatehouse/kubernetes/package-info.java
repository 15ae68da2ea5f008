/**
 * Controller mode: fabric8 informers turned into the translator's {@link dev.gatehouse.translate.ResourceSet}
 * (debounced), the statuses written back (only by the leader of a Lease), and the Nodes' addresses for Gateways
 * without a LoadBalancer. Depends on the translator and fabric8 only; the app wires it to the data plane.
 */
package dev.gatehouse.kubernetes;
