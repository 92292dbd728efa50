package io.planet.cli.cluster;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The cluster's log files under {@code --log-dir}: one per component (apiserver.log, scheduler.log,
 * controller-manager.log, kubelet.log, proxy.log, dns.log, etcd.log) and planet.log for the progress lines, the
 * supervisor and every other logger. In-process components are told apart by their loggers' packages. Every file
 * rotates by size: {@value #MAX_FILE_MIB} MiB, then {@code <name>.log.1} … {@code .}{@value #KEEP} (the oldest).
 */
final class ClusterLogs {
  static final int MAX_FILE_MIB = 20;
  static final int KEEP = 5;
  static final String PLANET = "planet";
  static final String ETCD = "etcd";
  /** The loggers whose messages are whole lines of their own (progress lines, etcd's JSON): written as they are. */
  static final String PROGRESS_LOGGER = "planet.progress";
  static final String ETCD_LOGGER = "planet.etcd";

  /** Logger package → component; the longest matching prefix wins (io.planet.node.proxy before io.planet.node). */
  static final Map<String, String> PACKAGES = packages();

  private ClusterLogs() {}

  private static Map<String, String> packages() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("io.planet.apiserver", "apiserver");
    m.put("io.planet.scheduler", "scheduler");
    m.put("io.planet.controllers", "controller-manager");
    // the node agent: kubelet, runtime, network, image, server (its HTTPS API), metrics
    m.put("io.planet.node", "kubelet");
    m.put("io.planet.node.proxy", "proxy");
    m.put("io.planet.node.dns", "dns");
    return m;
  }

  /** Every component with a file of its own, and planet (the default). */
  static List<String> components() {
    List<String> out = new ArrayList<>(List.of(PLANET, ETCD));
    for (String c : PACKAGES.values()) if (!out.contains(c)) out.add(c);
    return out;
  }

  static Path file(Path logDir, String component) {
    return logDir.resolve(component + ".log");
  }

  /** A component's files, oldest first: the rotated ones ({@code .5} … {@code .1}) that exist, then the current one. */
  static List<Path> files(Path logDir, String component) {
    List<Path> out = new ArrayList<>();
    Path current = file(logDir, component);
    for (int i = KEEP; i >= 1; i--) {
      Path p = current.resolveSibling(current.getFileName() + "." + i);
      if (Files.exists(p)) out.add(p);
    }
    if (Files.exists(current)) out.add(current);
    return out;
  }

  /**
   * Sends every logger to its component's file. {@code console}: the console keeps what it showed before too
   * (foreground); otherwise (the background service) nothing goes to the console and stdout/stderr are captured into
   * planet.log, so that rotation covers them as well.
   */
  static synchronized void install(Path logDir, boolean console) throws IOException {
    Files.createDirectories(logDir);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(consoles::add);
    Map<String, Appender<ILoggingEvent>> appenders = new LinkedHashMap<>();
    for (String c : components()) appenders.put(c, rolling(ctx, logDir, c));
    if (!console) consoles.forEach(root::detachAppender);
    root.addAppender(appenders.get(PLANET));
    for (Map.Entry<String, String> e : PACKAGES.entrySet()) {
      attach(ctx.getLogger(e.getKey()), appenders.get(e.getValue()), console ? consoles : List.of());
    }
    attach(ctx.getLogger(PROGRESS_LOGGER), appenders.get(PLANET), List.of());
    attach(ctx.getLogger(ETCD_LOGGER), appenders.get(ETCD), List.of());
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(new LineLogger(LoggerFactory.getLogger(PROGRESS_LOGGER), console ? out : null, out), true,
        StandardCharsets.UTF_8));
    if (!console) {
      System.setErr(new PrintStream(new LineLogger(LoggerFactory.getLogger(PROGRESS_LOGGER), null, err), true,
          StandardCharsets.UTF_8));
    }
  }

  private static void attach(Logger logger, Appender<ILoggingEvent> file, List<Appender<ILoggingEvent>> also) {
    logger.detachAndStopAllAppenders();
    logger.setAdditive(false);
    logger.addAppender(file);
    also.forEach(logger::addAppender);
  }

  private static RollingFileAppender<ILoggingEvent> rolling(LoggerContext ctx, Path logDir, String component) {
    String file = file(logDir, component).toString();
    RollingFileAppender<ILoggingEvent> a = new RollingFileAppender<>();
    a.setContext(ctx);
    a.setName("file-" + component);
    a.setFile(file);
    a.setAppend(true);
    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(ctx);
    rolling.setParent(a);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(KEEP);
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
    size.setContext(ctx);
    size.setMaxFileSize(FileSize.valueOf(MAX_FILE_MIB + "MB"));
    // logback looks at the size once a minute by default: a busy component would overshoot by a minute's worth
    size.setCheckIncrement(Duration.buildBySeconds(1));
    size.start();
    LineLayout layout = new LineLayout(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(ctx);
    encoder.setLayout(layout);
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();
    a.setRollingPolicy(rolling);
    a.setTriggeringPolicy(size);
    a.setEncoder(encoder);
    a.start();
    return a;
  }

  /**
   * Progress lines and etcd's own (already timestamped JSON) lines as they are, so {@code planet start} and
   * {@code stop} can relay them by their prefix; every other logger's with time, level and logger.
   */
  static final class LineLayout extends LayoutBase<ILoggingEvent> {
    private final PatternLayout pattern = new PatternLayout();

    LineLayout(LoggerContext ctx) {
      setContext(ctx);
      pattern.setContext(ctx);
      pattern.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
    }

    @Override
    public void start() {
      pattern.start();
      super.start();
    }

    @Override
    public String doLayout(ILoggingEvent e) {
      String name = e.getLoggerName();
      if (name.equals(PROGRESS_LOGGER) || name.equals(ETCD_LOGGER)) return e.getFormattedMessage() + "\n";
      return pattern.doLayout(e);
    }
  }

  /**
   * An output stream that logs each complete line it is given ({@link System#out} of the cluster), optionally also
   * writing it on to {@code tee}. A line logged while logging itself (logback reporting its own trouble on stdout)
   * goes straight to {@code fallback}.
   */
  static final class LineLogger extends OutputStream {
    private static final ThreadLocal<Boolean> LOGGING = ThreadLocal.withInitial(() -> false);
    private final org.slf4j.Logger logger;
    private final PrintStream tee;
    private final PrintStream fallback;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineLogger(org.slf4j.Logger logger, PrintStream tee, PrintStream fallback) {
      this.logger = logger;
      this.tee = tee;
      this.fallback = fallback;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        emit();
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) write(b[i]);
    }

    private void emit() {
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (tee != null) {
        tee.println(text);
        tee.flush();
      }
      if (LOGGING.get()) {
        if (tee == null) fallback.println(text);
        return;
      }
      LOGGING.set(true);
      try {
        logger.info(text);
      } finally {
        LOGGING.set(false);
      }
    }
  }
}
