/** HTTP/1.1 on Netty's codec: the bootstrap, the pipeline, our router, and the one place responses are written. */
package org.gridmeter.server.http;
