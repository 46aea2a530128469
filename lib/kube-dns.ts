// What the agent's cluster DNS and the server's kube-dns Service agree on: the node label that
// says a node's DNS answers (the server lists such nodes as kube-dns's endpoints) and the ports.

/** Set to "true" on a Node by its agent while its DNS serves; removed on a clean stop. */
export const dnsNodeLabel = 'k8ts.io/dns';
export const DNS_PORT = 53;
export const DNS_METRICS_PORT = 9153;
