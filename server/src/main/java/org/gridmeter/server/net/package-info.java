/** Network plumbing shared by the UDP and HTTP servers: the transport (epoll or NIO). */
package org.gridmeter.server.net;
