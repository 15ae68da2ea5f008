/**
 * Helpers of {@link dev.gatehouse.translate.YamlResourceLoader}: which fabric8 class reads which
 * apiVersion/kind, and finding fields the fabric8 model silently kept as "additional properties"
 * (the API server would have refused them).
 */
package dev.gatehouse.translate.load;
