package dev.gatehouse.translate;

/**
 * @param controllerName GatewayClasses whose controllerName equals this are ours
 */
public record TranslatorOptions(String controllerName) {
    public static final String DEFAULT_CONTROLLER_NAME = "gatehouse.dev/gateway-controller";

    public static TranslatorOptions defaults() {
        return new TranslatorOptions(DEFAULT_CONTROLLER_NAME);
    }
}
