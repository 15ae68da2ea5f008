package dev.gatehouse.routing.filter;

import dev.gatehouse.ir.FilterSpec.HeaderSpec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;

/**
 * The set/add/remove lists of a Request- or ResponseHeaderModifier, compiled: names as {@link AsciiString}
 * (Netty's header maps compare them case-insensitively), values validated. Applied as remove, then set,
 * then add, as Envoy does, so a configured value is never removed by the same filter.
 */
final class HeaderMutations {
    private final AsciiString[] setNames;
    private final AsciiString[] setValues;
    private final AsciiString[] addNames;
    private final AsciiString[] addValues;
    private final AsciiString[] removeNames;

    private HeaderMutations(AsciiString[] setNames, AsciiString[] setValues, AsciiString[] addNames, AsciiString[] addValues,
                            AsciiString[] removeNames) {
        this.setNames = setNames;
        this.setValues = setValues;
        this.addNames = addNames;
        this.addValues = addValues;
        this.removeNames = removeNames;
    }

    static HeaderMutations compile(List<HeaderSpec> set, List<HeaderSpec> add, List<String> remove) {
        AsciiString[] setNames = new AsciiString[set.size()];
        AsciiString[] setValues = new AsciiString[set.size()];
        for (int i = 0; i < setNames.length; i++) {
            setNames[i] = HeaderFieldValidator.name(set.get(i).name());
            setValues[i] = HeaderFieldValidator.asciiValue(set.get(i).name(), set.get(i).value());
        }
        AsciiString[] addNames = new AsciiString[add.size()];
        AsciiString[] addValues = new AsciiString[add.size()];
        for (int i = 0; i < addNames.length; i++) {
            addNames[i] = HeaderFieldValidator.name(add.get(i).name());
            addValues[i] = HeaderFieldValidator.asciiValue(add.get(i).name(), add.get(i).value());
        }
        List<AsciiString> removeNames = new ArrayList<>(remove.size());
        for (String name : remove) {
            removeNames.add(HeaderFieldValidator.name(name));
        }
        return new HeaderMutations(setNames, setValues, addNames, addValues, removeNames.toArray(new AsciiString[0]));
    }

    void apply(HttpHeaders headers) {
        for (AsciiString name : removeNames) {
            headers.remove(name);
        }
        for (int i = 0; i < setNames.length; i++) {
            headers.set(setNames[i], setValues[i]);
        }
        for (int i = 0; i < addNames.length; i++) {
            headers.add(addNames[i], addValues[i]);
        }
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < setNames.length; i++) {
            sb.append(" set ").append(setNames[i]).append('=').append(setValues[i]);
        }
        for (int i = 0; i < addNames.length; i++) {
            sb.append(" add ").append(addNames[i]).append('=').append(addValues[i]);
        }
        for (AsciiString name : removeNames) {
            sb.append(" remove ").append(name);
        }
        return sb.toString().trim();
    }
}
