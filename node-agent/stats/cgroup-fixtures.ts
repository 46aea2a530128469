// Kernel files as hosts write them, trimmed: a cgroup v1 pod (Debian 12 kernel 6.1, hierarchy
// per controller), a cgroup v2 pod (Ubuntu 24.04, unified), and the /proc files for the node.

export const v1Mountinfo = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

export const v2Mountinfo = `25 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
29 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

export const v1CpuacctUsage = '4710169000\n';
export const v1MemoryUsage = '13975552\n';
export const v1MemoryStat = `cache 1441792
rss 0
pgfault 0
inactive_file 0
total_cache 1441792
total_rss 12263424
total_pgfault 5302
total_pgmajfault 3
total_inactive_anon 0
total_active_anon 12263424
total_inactive_file 1441792
total_active_file 0
`;

export const v2CpuStat = `usage_usec 4710169
user_usec 3012000
system_usec 1698169
nr_periods 0
nr_throttled 0
throttled_usec 0
`;
export const v2MemoryCurrent = '13975552\n';
export const v2MemoryStat = `anon 12263424
file 1441792
kernel 270336
inactive_anon 0
active_anon 12263424
inactive_file 1441792
active_file 0
pgfault 5302
pgmajfault 3
`;

export const procStat = `cpu  16734 12 10843 76546 331 5 389 2 0 0
cpu0 7842 0 5182 39166 66 0 155 0 0 0
intr 1 2 3
`;

export const meminfo = `MemTotal:       24683748 kB
MemFree:        23370092 kB
MemAvailable:   23808864 kB
Buffers:           11512 kB
Cached:           606144 kB
Inactive(file):   191160 kB
`;

export const netDev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    5432      30    1    2    0     0          0         0     2345      21    3    4    0     0       0          0
`;
