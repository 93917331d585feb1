/** The HTTP API's routes: parse parameters, call the domain, build the response. No Netty types. */
package org.gridmeter.server.api;
