package org.gridmeter.e2e;

import java.nio.file.Path;

/** Lets tests in other packages start the server jar as {@link ServerProcess} does. */
public final class ServerProcessAccess implements AutoCloseable {

    private final ServerProcess server;

    private ServerProcessAccess(ServerProcess server) {
        this.server = server;
    }

    public static ServerProcessAccess start(Path dataDir) throws Exception {
        return new ServerProcessAccess(ServerProcess.start(dataDir));
    }

    public int udpPort() {
        return server.udpPort;
    }

    public int httpPort() {
        return server.httpPort;
    }

    public String adminToken() {
        return ServerProcess.TOKEN;
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
