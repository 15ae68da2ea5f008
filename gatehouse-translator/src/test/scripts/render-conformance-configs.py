#!/usr/bin/env python3
"""Renders every case of the conformance harness's cases.json into one config folder per case, for
ConformanceConfigsTest (translation of every case's first step must give no ERROR diagnostics).

usage: render-conformance-configs.py CASES_JSON OUT_DIR
then:  mvn -o -q -B -pl gatehouse-translator test -Dtest=ConformanceConfigsTest -Dconformance.configs=OUT_DIR

Backends get fake endpoint ports (the translator never connects); Secrets get one self-signed
certificate made with the openssl CLI. Placeholders: {{gatewayClassName}}, {{port:...}}, {{pod:...}}.
"""
import base64, json, os, re, shutil, subprocess, sys, tempfile


def certificate():
    d = tempfile.mkdtemp()
    key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "3650", "-subj", "/CN=example.org"], check=True, capture_output=True)
    rsa = os.path.join(d, "rsa.pem")
    if subprocess.run(["openssl", "rsa", "-in", key, "-out", rsa, "-traditional"], capture_output=True).returncode:
        rsa = key
    data = [base64.b64encode(open(p, "rb").read()).decode() for p in (crt, rsa)]
    shutil.rmtree(d)
    return data


def namespace(n):
    s = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n" % n["name"]
    if n.get("labels"):
        s += "  labels:\n" + "".join("    %s: %s\n" % (k, json.dumps(v)) for k, v in n["labels"].items())
    return s


def backend(b):
    docs = []
    s = "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n  ports:\n" % (b["name"], b["namespace"])
    for p in b["ports"]:
        s += "  - protocol: TCP\n"
        if p.get("name"):
            s += "    name: %s\n" % p["name"]
        s += "    port: %d\n    targetPort: %d\n" % (p["port"], p.get("targetPort", p["port"]))
    docs.append(s)
    for i in range(b.get("replicas", 1)):
        s = ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: %s-%d\n  namespace: %s\n"
             "  labels:\n    kubernetes.io/service-name: %s\naddressType: IPv4\nports:\n") % (b["name"], i, b["namespace"], b["name"])
        for j, p in enumerate(b["ports"]):
            s += "- name: %s\n  port: %d\n" % (json.dumps(p.get("name") or ""), 30000 + i * 10 + j)
        s += "endpoints:\n- addresses: [\"127.0.0.1\"]\n  conditions: {ready: true}\n"
        docs.append(s)
    return docs


def subst(t):
    t = t.replace("{{gatewayClassName}}", "gatehouse")
    t = re.sub(r"\{\{port:[^}]*\}\}", "30000", t)
    return re.sub(r"\{\{pod:([^}:]*)[^}]*\}\}", r"\1-pod", t)


def main(cases_json, out):
    data = json.load(open(cases_json))
    crt, key = certificate()
    shutil.rmtree(out, ignore_errors=True)
    for case in data["cases"]:
        folder = os.path.join(out, case["name"])
        os.makedirs(folder)
        docs = ["apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: gatehouse\n"
                "spec:\n  controllerName: gatehouse.dev/gateway-controller\n"]
        docs += [namespace(n) for n in data["namespaces"]]
        wanted = set(case.get("backends", []))
        for b in data["backends"]:
            if b.get("base") or b["name"] in wanted:
                docs += backend(b)
        for cert in data["certificates"]:
            for ns in cert["namespaces"]:
                docs.append("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\n"
                            "type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n" % (cert["name"], ns, crt, key))
        open(os.path.join(folder, "00-base.yaml"), "w").write("---\n" + "---\n".join(docs))
        gateways = [subst("\n".join(data["base_gateways"][g])) for g in case.get("gateways") or []]
        open(os.path.join(folder, "10-gateways.yaml"), "w").write("\n---\n".join(gateways) + "\n")
        for name, lines in case["manifests"].items():
            open(os.path.join(folder, name), "w").write(subst("\n".join(lines)) + "\n")
    print("%d cases rendered into %s" % (len(data["cases"]), out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
