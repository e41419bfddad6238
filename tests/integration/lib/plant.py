#!/usr/bin/python3
"""Build a test image with planted secrets, malware and risky configuration.

    plant.py OUTDIR SHARED SRC

Layers (bottom first):
  1. the real Alpine 3.11 base layer (../shared/data/images/alpine-311.tar.gz)
  2. every secret sample (tests/data/secrets/samples) under app/secrets/,
     every positive case of tests/data/secrets/cases.tsv in a file of its own
     under app/cases/, and root/.aws/credentials-deleted (a secret deleted
     again in layer 4)
  3. every malware sample (tests/data/malware/samples) under var/www/html/
     and opt/tools/; a setuid-root binary and a world-writable directory
  4. a whiteout for root/.aws/credentials-deleted
The config runs as root (no USER), exposes 22 and 2375, has no HEALTHCHECK,
carries a secret in ENV and was created in 2019.

Writes OUTDIR/img.tar (docker-archive), OUTDIR/oci (layout) and
OUTDIR/expected.tsv: kind, path, rule id, layer index, removed (0/1), and
OUTDIR/deleted-secret.txt: raw secret values that must never be printed.
"""
import gzip, io, json, os, sys, tarfile

out, shared, src = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tests", "fixtures"))
import mkimage  # noqa: E402


def base_layer():
    with tarfile.open(os.path.join(shared, "data/images/alpine-311.tar.gz")) as t:
        man = json.load(t.extractfile("manifest.json"))
        raw = t.extractfile(man[0]["Layers"][0]).read()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def samples(kind):
    d = os.path.join(src, "tests", "data", kind, "samples")
    exp = {}
    with open(os.path.join(d, "EXPECTED.tsv")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, rule = line.rstrip("\n").split("\t")[:2]
            exp.setdefault(name, []).append(rule)
    return d, exp


expected = []
sec_dir, sec_exp = samples("secrets")
mal_dir, mal_exp = samples("malware")

l2 = []
for name in sorted(sec_exp):
    path = "app/secrets/" + name
    l2.append({"path": path, "content_file": os.path.join(sec_dir, name)})
    for rule in sec_exp[name]:
        expected.append(("secret", path, rule, 1, 0))
# every positive case of the secret rules' own table, each in its own file at
# the path the case names: one finding per rule, and the raw secret values to
# look for in the outputs
secrets_raw = []
with open(os.path.join(src, "tests", "data", "secrets", "cases.tsv")) as f:
    n = 0
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        rule, kind, path, secret, text = line.rstrip("\n").split("\t", 4)
        if kind != "pos":
            continue
        n += 1
        text = text.encode().decode("unicode_escape")
        cpath = "app/cases/%03d/%s" % (n, path.lstrip("/"))
        l2.append({"path": cpath, "content": text + "\n"})
        expected.append(("secret", cpath, rule, 1, 0))
        if len(secret) >= 8:
            secrets_raw.append(secret.encode().decode("unicode_escape"))
aws = ("[default]\naws_access_key_id = AKIAZ2CWQ7HJ4K6M3Q5L\n"
       "aws_secret_access_key = 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\n")
l2.append({"path": "root/.aws/credentials-deleted", "content": aws})

l3 = []
for name in sorted(mal_exp):
    path = "var/www/html/" + name
    l3.append({"path": path, "content_file": os.path.join(mal_dir, name)})
    for rule in mal_exp[name]:
        expected.append(("malware", path, rule, 2, 0))
l3.append({"path": "usr/local/bin/backdoor-helper", "content": "#!/bin/sh\necho hi\n", "mode": 0o4755})
l3.append({"path": "srv/shared", "type": "dir", "mode": 0o777})

l4 = [{"path": "root/.aws/.wh.credentials-deleted"}]

spec = {
    "repo_tag": "comb-test/planted:latest", "ref": "latest",
    "created": "2019-06-01T00:00:00Z",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "DB_PASSWORD=Sup3rS3cretPassw0rd2019",
                       # a key under an innocent name: only the secret engine sees it
                       "DEPLOY_NOTE=ghp_R8dK2mQ9vL4pT7wZ1yB6nC3dF5gH0jK8lM2o"],
               "Labels": {"org.example.notify": "https://hooks.slack.com/services/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"},
               "ExposedPorts": {"22/tcp": {}, "2375/tcp": {}, "8080/tcp": {}}},
    "layers": [
        {"raw": base_layer(), "compression": "gzip", "comment": "ADD alpine-minirootfs.tar.gz /"},
        {"compression": "gzip", "comment": "COPY secrets /app/secrets", "entries": l2},
        {"compression": "gzip", "comment": "COPY web /var/www/html", "entries": l3},
        {"compression": "gzip", "comment": "RUN rm /root/.aws/credentials-deleted", "entries": l4},
    ],
}
im = mkimage.Image(spec)
mkimage.write_docker([im], os.path.join(out, "img.tar"))
mkimage.write_oci([im], os.path.join(out, "oci"))
with open(os.path.join(out, "expected.tsv"), "w") as f:
    for row in expected:
        f.write("\t".join(map(str, row)) + "\n")
with open(os.path.join(out, "deleted-secret.txt"), "w") as f:
    f.write("r4Xk9mQ2vL8pT1wZ6yB3nC5dF7gH0jK2lM4oP8sU\nAKIAZ2CWQ7HJ4K6M3Q5L\nSup3rS3cretPassw0rd2019\n"
            "ghp_R8dK2mQ9vL4pT7wZ1yB6nC3dF5gH0jK8lM2o\nkL5mN6oP7qR8sT9uV0wX1yZ2\n")
    for sec in secrets_raw:   # multi-line secrets (keys): each line of 16+ characters
        for part in sec.splitlines():
            if len(part.strip()) >= 16 and "-----" not in part:
                f.write(part.strip() + "\n")
