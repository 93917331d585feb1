/**
 * Several nodes on one PostgreSQL (docs/scaling.md): meter ids fall into {@link Partitions}, each
 * held by one node as a lease with a fencing epoch ({@link LeaseTable}); {@link ClusterMember} keeps
 * this node's leases and moves partitions; {@link Ownership} tells the ingest path and the HTTP side
 * where each meter is handled; {@link Envelope} carries datagrams and ACKs between nodes.
 */
package org.gridmeter.server.cluster;
