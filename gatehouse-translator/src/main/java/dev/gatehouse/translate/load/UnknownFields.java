package dev.gatehouse.translate.load;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds fields that no fabric8 property claimed. fabric8 classes keep them in {@code additionalProperties}
 * instead of failing, but the API server prunes or rejects them, and a misspelt field silently ignored
 * is the worst kind of config bug, so we report each as an error with its path.
 */
public final class UnknownFields {
    private final ObjectMapper mapper;
    /**
     * Jackson's introspection of a class, once per class: {@code introspect} builds a new description every call
     * (reflection over every method and annotation), which was two thirds of loading 5,000 routes.
     */
    private final Map<Class<?>, Shape> shapes = new java.util.concurrent.ConcurrentHashMap<>();

    /** A class's readable properties (name for the path, accessor) and its any-getter, if any. */
    private record Shape(List<Property> properties, AnnotatedMember anyGetter) { }

    private record Property(String name, boolean additionalProperties, AnnotatedMember accessor) { }

    public UnknownFields(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Paths like {@code spec.rules[0].matchs}, sorted. */
    public List<String> find(Object resource) {
        TreeSet<String> out = new TreeSet<>();
        walk(resource, "", out);
        return new ArrayList<>(out);
    }

    private void walk(Object value, String path, Collection<String> out) {
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (!(value instanceof KubernetesResource)) {
            return;
        }
        Shape shape = shapes.computeIfAbsent(value.getClass(), this::shape);
        for (Property p : shape.properties()) {
            Object child = p.accessor().getValue(value);
            if (child instanceof Map<?, ?> map && p.additionalProperties()) {
                map.keySet().forEach(k -> out.add(join(path, String.valueOf(k))));
            } else if (child != null) {
                walk(child, join(path, p.name()), out);
            }
        }
        // Lombok-generated getAdditionalProperties is an @JsonAnyGetter: not a listed property.
        if (shape.anyGetter() != null) {
            Object any = shape.anyGetter().getValue(value);
            if (any instanceof Map<?, ?> map) {
                map.keySet().forEach(k -> out.add(join(path, String.valueOf(k))));
            }
        }
    }

    private Shape shape(Class<?> type) {
        BeanDescription desc = mapper.getSerializationConfig().introspect(mapper.constructType(type));
        List<Property> properties = new ArrayList<>();
        for (BeanPropertyDefinition p : desc.findProperties()) {
            AnnotatedMember accessor = p.getAccessor();
            if (accessor != null) {
                accessor.fixAccess(true);
                properties.add(new Property(p.getName(), "additionalProperties".equals(p.getInternalName()), accessor));
            }
        }
        AnnotatedMember any = desc.findAnyGetter();
        if (any != null) {
            any.fixAccess(true);
        }
        return new Shape(List.copyOf(properties), any);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
