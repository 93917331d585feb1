package org.gridmeter.server.http;

/**
 * A request the API refuses: becomes {@code {"erro": code, "mensagem": message}} with {@code status},
 * the message in the request's language. It is a sentence for people that names the parameter at
 * fault, in their terms, with an example of a good value.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Text text;

    public ApiException(int status, String code, Text text) {
        super(text.en(), null, false, false);
        this.status = status;
        this.code = code;
        this.text = text;
    }

    public static ApiException badRequest(String code, String pt, String en) {
        return new ApiException(400, code, Text.of(pt, en));
    }

    public static ApiException notFound(String code, String pt, String en) {
        return new ApiException(404, code, Text.of(pt, en));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Text text() {
        return text;
    }
}
