/* test_sensor_cgroup.c - container ids from cgroup paths. */
#include "runtime/sensor/cgroup.h"
#include "test.h"

#define ID "3f5c6a0b1e2d4c7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"

static void expect(const char *path, const char *id, const char *runtime)
{
    char out[COMB_CONTAINER_ID_LEN + 1] = "unchanged";
    const char *rt = NULL;
    int found = comb_cgroup_container_id(path, out, &rt);
    if (!id) {
        CHECK_INT(found, 0);
        if (found)
            fprintf(stderr, "  path %s gave %s\n", path, out);
        return;
    }
    CHECK_INT(found, 1);
    CHECK_STR(out, id);
    CHECK_STR(rt, runtime);
}

static void test_podman(void)
{
    expect("/machine.slice/libpod-" ID ".scope", ID, "podman");
    expect("/machine.slice/libpod-" ID ".scope/container", ID, "podman"); /* crun's nesting */
    expect("/libpod_parent/libpod-" ID, ID, "podman");                   /* cgroupfs driver */
    expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", ID,
           "podman");
    /* conmon watches the container but is not in it */
    expect("/machine.slice/libpod-conmon-" ID ".scope", NULL, NULL);
}

static void test_other_runtimes(void)
{
    expect("/system.slice/docker-" ID ".scope", ID, "docker");
    expect("/docker/" ID, ID, "docker");
    expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
           "cri-containerd-" ID ".scope", ID, "containerd");
    expect("/kubepods/besteffort/pod1234/" ID, ID, "container");
    expect("/kubepods.slice/kubepods-pod1.slice/crio-" ID ".scope", ID, "cri-o");
    expect("/kubepods.slice/kubepods-pod1.slice/crio-conmon-" ID ".scope", NULL, NULL);
}

static void test_host_and_hostile(void)
{
    expect("/", NULL, NULL);
    expect("", NULL, NULL);
    expect("/user.slice/user-0.slice/session-3.scope", NULL, NULL);
    expect("/system.slice/podman.service", NULL, NULL);
    /* 63 and 65 hex digits, upper case, non-hex: not ids */
    expect("/machine.slice/libpod-"
           "3f5c6a0b1e2d4c7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1.scope", NULL, NULL);
    expect("/machine.slice/libpod-" ID "0.scope", NULL, NULL);
    expect("/docker/3F5C6A0B1E2D4C7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6A7B8C9D0E1F", NULL, NULL);
    expect("/docker/3f5c6a0b1e2d4c7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1g", NULL, NULL);
    expect("libpod-.scope", NULL, NULL);
    expect("////", NULL, NULL);
    /* the innermost container wins (a container nested in another's cgroup) */
    expect("/docker/" ID "/libpod-"
           "0000000000000000000000000000000000000000000000000000000000000000.scope",
           "0000000000000000000000000000000000000000000000000000000000000000", "podman");
}

static void test_proc_cgroup(void)
{
    char out[256];
    CHECK_INT(comb_cgroup_v2_path("0::/machine.slice/libpod-" ID ".scope/container\n", out,
                                  sizeof out), 0);
    CHECK_STR(out, "/machine.slice/libpod-" ID ".scope/container");
    /* hybrid hierarchy: v1 lines first */
    CHECK_INT(comb_cgroup_v2_path("12:pids:/x\n1:name=systemd:/y\n0::/z\n", out, sizeof out), 0);
    CHECK_STR(out, "/z");
    CHECK_INT(comb_cgroup_v2_path("12:pids:/x\n", out, sizeof out), -1);
    CHECK_INT(comb_cgroup_v2_path("", out, sizeof out), -1);
    /* longer than the buffer: refused, not truncated */
    char small[4];
    CHECK_INT(comb_cgroup_v2_path("0::/abcdef\n", small, sizeof small), -1);
}

int main(void)
{
    RUN(test_podman);
    RUN(test_other_runtimes);
    RUN(test_host_and_hostile);
    RUN(test_proc_cgroup);
    return test_summary();
}
