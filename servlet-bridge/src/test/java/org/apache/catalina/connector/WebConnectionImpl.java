package org.apache.catalina.connector;

/** Test stand-in with the shape of GlassFish's and Payara's upgraded connection: it knows its (recyclable) request. */
public final class WebConnectionImpl {
    public Object request;

    public WebConnectionImpl(Object request) {
        this.request = request;
    }
}
