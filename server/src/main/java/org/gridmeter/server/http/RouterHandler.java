package org.gridmeter.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AttributeKey;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.gridmeter.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each aggregated request into a {@link Request}, routes it, checks access, runs the handler
 * (on the event loop, or on the blocking pool for routes that touch the database) and writes the
 * answer. While a connection waits for a blocking route, it stops reading and holds the requests
 * it had read already, so pipelined requests are answered in order and never pile up.
 */
@Sharable
final class RouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(RouterHandler.class);

    private final Router router;
    private final ReadAuth auth;
    private final Executor blocking;
    private final ServerMetrics metrics;
    private final ClientLimits limits;

    RouterHandler(Router router, ReadAuth auth, Executor blocking, ServerMetrics metrics, ClientLimits limits) {
        this.limits = limits;
        this.router = router;
        this.auth = auth;
        this.blocking = blocking;
        this.metrics = metrics;
    }

    /** Per connection: whether a blocking route is being answered, and the requests read meanwhile. */
    private static final class InFlight {
        boolean busy;
        final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    }

    private static final AttributeKey<InFlight> IN_FLIGHT = AttributeKey.valueOf(RouterHandler.class, "inFlight");

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InFlight inFlight = ctx.channel().attr(IN_FLIGHT).getAndSet(null);
        if (inFlight != null) {
            inFlight.waiting.forEach(FullHttpRequest::release);
            inFlight.waiting.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        InFlight inFlight = ctx.channel().attr(IN_FLIGHT).get();
        if (inFlight == null) {
            inFlight = new InFlight();
            ctx.channel().attr(IN_FLIGHT).set(inFlight);
        }
        if (inFlight.busy) {
            inFlight.waiting.add(http.retain());
            return;
        }
        handle(ctx, http, inFlight);
    }

    /** Answers the requests that waited for a blocking one, in order, until one blocks again. */
    private void resume(ChannelHandlerContext ctx, InFlight inFlight) {
        inFlight.busy = false;
        ctx.channel().config().setAutoRead(true);
        FullHttpRequest next;
        while (!inFlight.busy && (next = inFlight.waiting.poll()) != null) {
            try {
                handle(ctx, next, inFlight);
            } finally {
                next.release();
            }
        }
    }

    /**
     * The language asked for: {@code ?idioma=} (for clients that cannot set headers, such as a
     * browser's EventSource), else {@code Accept-Language}.
     */
    private static Language language(FullHttpRequest http) {
        java.util.List<String> idioma = !http.uri().contains("idioma=") ? null
                : new QueryStringDecoder(http.uri(), StandardCharsets.UTF_8).parameters().get("idioma");
        return Language.of(idioma != null && !idioma.isEmpty() ? idioma.get(0)
                : http.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest http, InFlight inFlight) {
        long started = System.nanoTime();
        Language language = language(http);
        if (http.decoderResult().isFailure()) {
            Response error = decodeError(http.decoderResult().cause(), language);
            finish(ctx, "(malformed)", http.method().name(), error, false, started, language);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(http);
        String method = http.method().name();
        long retryAfter = limits.retryAfterSeconds(ctx.channel().remoteAddress());
        if (retryAfter > 0) {
            finish(ctx, "(limited)", method, ErrorBody.response(429, "muitas_requisicoes",
                    "Requisições demais deste endereço (mais de --http-rate por segundo); tente de novo em "
                            + retryAfter + " s.",
                    "Too many requests from this address (over --http-rate a second); retry in " + retryAfter + " s.",
                    language).withHeader("Retry-After", Long.toString(retryAfter)), keepAlive, started, language);
            return;
        }
        Request request;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(http.uri(), StandardCharsets.UTF_8);
            request = new Request(method, Request.normalizePath(uri.path()), uri.parameters(),
                    http.headers().get(HttpHeaderNames.AUTHORIZATION), body(http), language,
                    http.headers().get(Request.FORWARDED_BY));
        } catch (CharacterCodingException e) {
            finish(ctx, "(malformed)", method, ErrorBody.response(400, "json_invalido",
                    "O corpo não é UTF-8 válido: envie o JSON em UTF-8, por exemplo "
                            + "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}.",
                    "The body is not valid UTF-8: send the JSON in UTF-8, e.g. "
                            + "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}.", language),
                    keepAlive, started, language);
            return;
        } catch (IllegalArgumentException e) {
            finish(ctx, "(malformed)", method, ErrorBody.response(400, "requisicao_invalida",
                    "O endereço da requisição está malformado: codifique os caracteres especiais com %, "
                            + "por exemplo ?data=20%2F03%2F2023.",
                    "The request URI is malformed: percent-encode special characters, e.g. ?data=20%2F03%2F2023.",
                    language), keepAlive, started, language);
            return;
        }
        String path = request.path();
        Router.Match match = router.route(method, path);
        if (match instanceof Router.Match.NotFound) {
            finish(ctx, "(none)", method, ErrorBody.response(404, "rota_inexistente",
                    "Não há a rota " + path + "; as rotas estão no README (por exemplo /usuario/?id=1).",
                    "No route " + path + "; the README lists the routes (e.g. /usuario/?id=1).", language),
                    keepAlive, started, language);
        } else if (match instanceof Router.Match.MethodNotAllowed notAllowed) {
            String allow = String.join(", ", notAllowed.allowed());
            finish(ctx, path, method, ErrorBody.response(405, "metodo_nao_permitido",
                    "O método " + method + " não é aceito em " + path + "; use " + allow + ".",
                    "Method " + method + " is not allowed on " + path + "; use " + allow + ".", language)
                    .withHeader("Allow", allow), keepAlive, started, language);
        } else {
            Router.Route route = ((Router.Match.Found) match).route();
            Response denied = auth.check(route.access(), request);
            if (denied != null) {
                finish(ctx, route.path(), method, denied, keepAlive, started, language);
            } else if (!route.blocking()) {
                finish(ctx, route.path(), method, invoke(route, request), keepAlive, started, language);
            } else {
                inFlight.busy = true;
                ctx.channel().config().setAutoRead(false);
                try {
                    blocking.execute(() -> {
                        Response response = invoke(route, request);
                        ctx.executor().execute(() -> {
                            finish(ctx, route.path(), method, response, keepAlive, started, language);
                            resume(ctx, inFlight);
                        });
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.busy = false;
                    ctx.channel().config().setAutoRead(true);
                    finish(ctx, route.path(), method, ErrorBody.response(503, "servidor_ocupado",
                            "O servidor está ocupado ou parando; tente de novo em instantes.",
                            "The server is busy or stopping; retry in a moment.", language), false, started, language);
                }
            }
        }
    }

    private Response invoke(Router.Route route, Request request) {
        try {
            return route.handler().handle(request);
        } catch (ApiException e) {
            return ErrorBody.response(e, request.language());
        } catch (Exception e) {
            log.error("event=http_handler_failed route=\"{} {}\"", route.method(), route.path(), e);
            return ErrorBody.response(500, "erro_interno",
                    "O servidor falhou ao responder; o log tem os detalhes. Por favor, relate o problema.",
                    "The server failed to answer; the log has the details. Please report it.", request.language());
        }
    }

    private void finish(ChannelHandlerContext ctx, String route, String method, Response answer, boolean keepAlive,
            long started, Language language) {
        Response chosen = answer.stream() == null || limits.openStream(ctx.channel().remoteAddress()) ? answer
                : ErrorBody.response(429, "muitos_fluxos", "Fluxos de eventos demais abertos deste endereço (no "
                        + "máximo " + limits.maxStreams() + ", --max-streams-per-client); feche um antes de abrir outro.",
                        "Too many event streams open from this address (at most " + limits.maxStreams()
                                + ", --max-streams-per-client); close one first.", language).withHeader("Retry-After", "5");
        Response response = chosen.withHeader("Content-Language", language.tag()).withHeader("Vary", "Accept-Language");
        if (response.stream() != null) {
            ctx.channel().closeFuture().addListener(f -> limits.closeStream(ctx.channel().remoteAddress()));
            ResponseWriter.stream(ctx, response);
        } else {
            ResponseWriter.write(ctx, response, keepAlive);
        }
        metrics.httpRequest(route, method, response.status(), System.nanoTime() - started);
    }

    /** The body as UTF-8; malformed input, overlong forms and encoded surrogates are refused. */
    private static String body(FullHttpRequest http) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(http.content().nioBuffer()).toString();
    }

    private static Response decodeError(Throwable cause, Language language) {
        if (cause instanceof TooLongHttpLineException) {
            return ErrorBody.response(414, "uri_longa_demais", "A linha da requisição passa de 4 KiB: encurte a URL.",
                    "The request line is over 4 KiB: shorten the URL.", language);
        } else if (cause instanceof TooLongHttpHeaderException) {
            return ErrorBody.response(431, "cabecalhos_grandes_demais", "Os cabeçalhos da requisição passam de 8 KiB.",
                    "The request headers are over 8 KiB.", language);
        } else if (cause instanceof TooLongFrameException) {
            return ErrorBody.response(413, "corpo_grande_demais", "A requisição é grande demais.",
                    "The request is too large.", language);
        }
        return ErrorBody.response(400, "requisicao_invalida",
                "A requisição HTTP está malformada; envie HTTP/1.1, como o curl faz.",
                "The HTTP request is malformed; send HTTP/1.1, as curl does.", language);
    }
}
