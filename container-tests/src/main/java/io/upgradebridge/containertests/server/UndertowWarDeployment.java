package io.upgradebridge.containertests.server;

import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ListenerInfo;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.api.ServletInfo;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.annotation.HandlesTypes;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.annotation.WebInitParam;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.annotation.WebServlet;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The {@link ContainerLauncher#WAR} mode of {@link UndertowLauncher}. Embedded Undertow deploys only what its
 * {@link DeploymentInfo} API is given (WildFly parses the descriptors and scans the classes for it), so this class
 * does that part of a deployer for the WARs of these tests: it unpacks the WAR, gives it a class loader over
 * {@code WEB-INF/classes} and {@code WEB-INF/lib/*.jar}, reads {@code WEB-INF/web.xml} (context parameters, listeners,
 * filters and servlets with their mappings, welcome files), scans {@code WEB-INF/classes} for {@code @WebServlet},
 * {@code @WebFilter} and {@code @WebListener} unless the descriptor is {@code metadata-complete}, runs the
 * {@code ServletContainerInitializer}s of the WAR's jars with the classes their {@code @HandlesTypes} asks for, and
 * serves the WAR's static files. Not covered (the test WARs use none of it): fragments and their ordering, security
 * constraints, JSP, error pages, session configuration.
 */
final class UndertowWarDeployment {

    private UndertowWarDeployment() {
    }

    static DeploymentInfo deploymentInfo(LauncherConfig config, ClassLoader world, int n) throws Exception {
        Path base = config.workDir() != null ? Path.of(config.workDir()) : Files.createTempDirectory("undertow-");
        Path dir = unpack(Path.of(config.war()), Files.createDirectories(base.resolve("undertow-webapp-" + n)));
        List<URL> urls = new ArrayList<>();
        Path classes = dir.resolve("WEB-INF/classes");
        if (Files.isDirectory(classes)) {
            urls.add(classes.toUri().toURL());
        }
        Path lib = dir.resolve("WEB-INF/lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(jar.toUri().toURL());
                }
            }
        }
        ClassLoader loader = new URLClassLoader("undertow-webapp-" + n, urls.toArray(URL[]::new), world);
        DeploymentInfo info = Servlets.deployment()
            .setClassLoader(loader)
            .setContextPath("/")
            .setDeploymentName("war-" + n)
            .setResourceManager(PathResourceManager.builder().setBase(dir)
                // no file watcher: its thread would hold the deployment (and its loader) after undeploy
                .setAllowResourceChangeListeners(false).build());
        boolean metadataComplete = readWebXml(dir.resolve("WEB-INF/web.xml"), info, loader);
        List<Class<?>> appClasses = loadClasses(classes, loader);
        if (!metadataComplete) {
            addAnnotated(appClasses, info);
        }
        addInitializers(appClasses, info, loader);
        if (info.getWelcomePages().isEmpty()) {
            info.addWelcomePages("index.html", "index.htm");
        }
        if (config.bridgeTransport() != null && !info.getInitParameters().containsKey("io.upgradebridge.transport")) {
            info.addInitParameter("io.upgradebridge.transport", config.bridgeTransport());
        }
        return info;
    }

    private static Path unpack(Path war, Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                Path target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("WAR entry outside the WAR: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        return dir;
    }

    /** Adds what {@code web.xml} declares; returns whether it is {@code metadata-complete} (no web.xml: false). */
    private static boolean readWebXml(Path webXml, DeploymentInfo info, ClassLoader loader) throws Exception {
        if (!Files.exists(webXml)) {
            return false;
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(webXml.toFile());
        Element root = document.getDocumentElement();
        for (Element param : children(root, "context-param")) {
            info.addInitParameter(text(param, "param-name"), text(param, "param-value"));
        }
        for (Element listener : children(root, "listener")) {
            info.addListener(new ListenerInfo(load(loader, text(listener, "listener-class"), EventListener.class)));
        }
        for (Element element : children(root, "filter")) {
            FilterInfo filter = Servlets.filter(text(element, "filter-name"), load(loader, text(element, "filter-class"), Filter.class))
                .setAsyncSupported(Boolean.parseBoolean(text(element, "async-supported")));
            for (Element param : children(element, "init-param")) {
                filter.addInitParam(text(param, "param-name"), text(param, "param-value"));
            }
            info.addFilter(filter);
        }
        for (Element mapping : children(root, "filter-mapping")) {
            List<DispatcherType> dispatchers = new ArrayList<>();
            for (Element dispatcher : children(mapping, "dispatcher")) {
                dispatchers.add(DispatcherType.valueOf(dispatcher.getTextContent().trim()));
            }
            if (dispatchers.isEmpty()) {
                dispatchers.add(DispatcherType.REQUEST);
            }
            for (Element pattern : children(mapping, "url-pattern")) {
                for (DispatcherType dispatcher : dispatchers) {
                    info.addFilterUrlMapping(text(mapping, "filter-name"), pattern.getTextContent().trim(), dispatcher);
                }
            }
        }
        for (Element element : children(root, "servlet")) {
            ServletInfo servlet = Servlets.servlet(text(element, "servlet-name"), load(loader, text(element, "servlet-class"), Servlet.class))
                .setAsyncSupported(Boolean.parseBoolean(text(element, "async-supported")));
            String loadOnStartup = text(element, "load-on-startup");
            if (!loadOnStartup.isEmpty()) {
                servlet.setLoadOnStartup(Integer.parseInt(loadOnStartup));
            }
            for (Element param : children(element, "init-param")) {
                servlet.addInitParam(text(param, "param-name"), text(param, "param-value"));
            }
            info.addServlet(servlet);
        }
        for (Element mapping : children(root, "servlet-mapping")) {
            ServletInfo servlet = info.getServlets().get(text(mapping, "servlet-name"));
            for (Element pattern : children(mapping, "url-pattern")) {
                servlet.addMapping(pattern.getTextContent().trim());
            }
        }
        for (Element list : children(root, "welcome-file-list")) {
            for (Element file : children(list, "welcome-file")) {
                info.addWelcomePage(file.getTextContent().trim());
            }
        }
        return Boolean.parseBoolean(root.getAttribute("metadata-complete"));
    }

    private static void addAnnotated(List<Class<?>> classes, DeploymentInfo info) {
        for (Class<?> type : classes) {
            WebServlet servletAnnotation = type.getAnnotation(WebServlet.class);
            if (servletAnnotation != null) {
                String name = servletAnnotation.name().isEmpty() ? type.getName() : servletAnnotation.name();
                ServletInfo servlet = Servlets.servlet(name, type.asSubclass(Servlet.class))
                    .setAsyncSupported(servletAnnotation.asyncSupported());
                if (servletAnnotation.loadOnStartup() >= 0) {
                    servlet.setLoadOnStartup(servletAnnotation.loadOnStartup());
                }
                for (WebInitParam param : servletAnnotation.initParams()) {
                    servlet.addInitParam(param.name(), param.value());
                }
                for (String pattern : patterns(servletAnnotation.urlPatterns(), servletAnnotation.value())) {
                    servlet.addMapping(pattern);
                }
                info.addServlet(servlet);
            }
            WebFilter filterAnnotation = type.getAnnotation(WebFilter.class);
            if (filterAnnotation != null) {
                String name = filterAnnotation.filterName().isEmpty() ? type.getName() : filterAnnotation.filterName();
                FilterInfo filter = Servlets.filter(name, type.asSubclass(Filter.class))
                    .setAsyncSupported(filterAnnotation.asyncSupported());
                for (WebInitParam param : filterAnnotation.initParams()) {
                    filter.addInitParam(param.name(), param.value());
                }
                info.addFilter(filter);
                for (String pattern : patterns(filterAnnotation.urlPatterns(), filterAnnotation.value())) {
                    for (DispatcherType dispatcher : filterAnnotation.dispatcherTypes()) {
                        info.addFilterUrlMapping(name, pattern, dispatcher);
                    }
                }
            }
            if (type.isAnnotationPresent(WebListener.class)) {
                info.addListener(new ListenerInfo(type.asSubclass(EventListener.class)));
            }
        }
    }

    private static String[] patterns(String[] urlPatterns, String[] value) {
        return urlPatterns.length > 0 ? urlPatterns : value;
    }

    /** The initializers of the WAR's own jars and classes (not the container's), with the classes they handle. */
    private static void addInitializers(List<Class<?>> appClasses, DeploymentInfo info, ClassLoader loader) {
        for (ServletContainerInitializer initializer : ServiceLoader.load(ServletContainerInitializer.class, loader)) {
            Class<? extends ServletContainerInitializer> type = initializer.getClass();
            if (type.getClassLoader() != loader) {
                continue; // one of the container's world
            }
            Set<Class<?>> handled = new LinkedHashSet<>();
            HandlesTypes handles = type.getAnnotation(HandlesTypes.class);
            if (handles != null) {
                for (Class<?> candidate : appClasses) {
                    for (Class<?> wanted : handles.value()) {
                        if (wanted.isAnnotation() ? candidate.isAnnotationPresent(wanted.asSubclass(Annotation.class))
                                : wanted.isAssignableFrom(candidate) && wanted != candidate) {
                            handled.add(candidate);
                        }
                    }
                }
            }
            info.addServletContainerInitializer(new ServletContainerInitializerInfo(type, handled));
        }
    }

    private static List<Class<?>> loadClasses(Path classes, ClassLoader loader) throws IOException {
        List<Class<?>> loaded = new ArrayList<>();
        if (!Files.isDirectory(classes)) {
            return loaded;
        }
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String relative = classes.relativize(file).toString();
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                if (name.endsWith("module-info") || name.endsWith("package-info")) {
                    continue;
                }
                try {
                    loaded.add(Class.forName(name, false, loader));
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class that cannot be loaded here is no servlet, filter or listener of this deployment
                }
            }
        }
        return loaded;
    }

    private static <T> Class<? extends T> load(ClassLoader loader, String name, Class<T> type) throws ClassNotFoundException {
        return Class.forName(name, false, loader).asSubclass(type);
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element element && localName.equals(element.getLocalName())) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String localName) {
        List<Element> found = children(parent, localName);
        return found.isEmpty() ? "" : found.get(0).getTextContent().trim();
    }
}
