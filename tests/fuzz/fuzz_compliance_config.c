/* fuzz_compliance_config.c - libFuzzer target for the config-file readers
 * that `comb bench` applies to host files: JSON, YAML, TOML, INI, systemd
 * units, sysctl.conf, the key lookup, command-line splitting, a unit's
 * ExecStart with its environment expanded (inside an empty root) and the
 * container and image field extraction from OCI, Docker and image configs. The first byte
 * picks the reader; the rest is the file. Errors must carry a message;
 * lookups of any path must not crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compliance/confread.h"
#include "compliance/containers.h"
#include "compliance/eval.h"
#include "compliance/images.h"
#include "compliance/unitexec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
    "icc", "a.b.c", "plugins.\"io.containerd.grpc.v1.cri\".stream_server_address", "0", "a.0.b",
    "Service.ExecStart", "net.ipv4.ip_forward", "\"unterminated", "a..b", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned pick = data[0] % 11;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    comb_err err;
    comb_err_clear(&err);
    if (pick < 6) {
        json_t *doc = NULL;
        comb_code rc = comb_conf_parse((comb_conf_format)pick, "fuzz", text, len, &doc, &err);
        if (rc != COMB_OK) {
            if (!err.msg[0] || doc)
                abort();
            return 0;
        }
        if (!doc)
            abort();
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
            char *t = comb_conf_text(comb_conf_lookup(doc, paths[i]));
            free(t);
        }
        char *all = comb_conf_text(doc);
        free(all);
        json_decref(doc);
        return 0;
    }
    json_t *f = NULL;
    if (pick == 9) {
        static comb_fsroot fs;
        static int fs_open;
        if (!fs_open) {
            char dir[] = "/tmp/comb-fuzz-root-XXXXXX";
            if (!mkdtemp(dir) || comb_fsroot_open(&fs, dir, &err) != COMB_OK)
                abort();
            fs_open = 1;
        }
        json_t *unit = NULL;
        if (comb_conf_parse(COMB_CONF_SYSTEMD, "fuzz", text, len, &unit, &err) == COMB_OK) {
            char *cmd = comb_unit_exec(&fs, unit, &err);
            if (cmd && strlen(cmd) > COMB_UNITEXEC_MAX)
                abort();
            if (!cmd && !err.msg[0])
                abort();
            free(cmd);
        }
        json_decref(unit);
        return 0;
    }
    if (pick == 10) {
        if (comb_image_fields("fuzz", text, len, &f, &err) != COMB_OK && !err.msg[0])
            abort();
    } else if (pick == 6) {
        if (comb_container_fields_oci("fuzz", text, len, &f, &err) != COMB_OK && !err.msg[0])
            abort();
    } else if (pick == 7) {
        size_t half = len / 2;
        if (comb_container_fields_docker("fuzz", text, half, text + half, len - half, &f, &err) !=
                COMB_OK &&
            !err.msg[0])
            abort();
    } else {
        char *s = malloc(len + 1);
        if (!s)
            return 0;
        memcpy(s, text, len);
        s[len] = '\0';
        size_t argc = 0;
        char **argv = comb_split_words(s, &argc);
        for (size_t i = 0; argv && i < argc; i++)
            free(argv[i]);
        free(argv);
        free(s);
    }
    json_decref(f);
    return 0;
}
