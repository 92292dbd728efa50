package io.planet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.planet.node.image.ArchiveImporter;
import io.planet.node.image.Image;
import io.planet.node.image.ImageReference;
import io.planet.node.image.ImageStore;
import io.planet.node.image.RegistryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code planet image import|ls|rm}: the node's image store, shared by every pod on the node. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Manage the node's container images.",
    subcommands = {ImageCommand.ImportImages.class, ImageCommand.PullImage.class, ImageCommand.ListImages.class, ImageCommand.RemoveImages.class})
final class ImageCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Where the store lives: {@code <data-dir>/images}, as the node agent uses it. */
  static final class Store {
    @Option(names = "--data-dir", defaultValue = "/var/lib/planet", description = "Planet's data directory (default: ${DEFAULT-VALUE})")
    Path dataDir;

    ImageStore open() throws IOException {
      return new ImageStore(dataDir.resolve("images"));
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Import images from an OCI image-layout archive or a `docker save` archive.")
  static final class ImportImages implements Callable<Integer> {
    @Mixin Store store;

    @Parameters(paramLabel = "FILE", description = "the archive (tar)")
    Path file;

    @Option(names = "--name", description = "name the archive's image (needed when the archive names none)")
    String name;

    @Override
    public Integer call() {
      try {
        System.err.println("planet image import: importing " + file);
        long start = System.nanoTime();
        List<Image> images = new ArchiveImporter(store.open()).importArchive(file, name);
        for (Image i : images) {
          System.out.println("imported " + String.join(", ", i.names()) + " (" + i.id().shortHex() + ", "
              + humanSize(i.size()) + ")");
        }
        System.err.printf(Locale.ROOT, "planet image import: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("planet image import: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "pull", mixinStandardHelpOptions = true,
      description = "Pull an image from an OCI registry (HTTPS; plain HTTP for loopback and --insecure-registry).")
  static final class PullImage implements Callable<Integer> {
    @Mixin Store store;

    @Parameters(paramLabel = "IMAGE", description = "image reference, e.g. registry.lan:5000/team/app:v1")
    String image;

    @Option(names = "--insecure-registry", description = "registry host[:port] reached over plain HTTP (repeatable)")
    List<String> insecure = new ArrayList<>();

    @Override
    public Integer call() {
      try {
        long start = System.nanoTime();
        Image i = new RegistryClient(store.open(), Set.copyOf(insecure))
            .pull(image, line -> System.err.println("planet image pull: " + line));
        System.out.println("pulled " + String.join(", ", i.names()) + " (" + i.id().shortHex() + ", " + humanSize(i.size()) + ")");
        System.err.printf(Locale.ROOT, "planet image pull: done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return 0;
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("planet image pull: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the images in the store.")
  static final class ListImages implements Callable<Integer> {
    @Mixin Store store;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
    String output;

    @Option(names = {"-q", "--quiet"}, description = "only image IDs")
    boolean quiet;

    @Override
    public Integer call() {
      if (!output.equals("table") && !output.equals("json")) {
        System.err.println("planet image ls: --output must be table or json, not \"" + output + "\"");
        return 2;
      }
      try {
        print(store.open().list(), System.out);
        return 0;
      } catch (IOException e) {
        System.err.println("planet image ls: " + e.getMessage());
        return 1;
      }
    }

    private void print(List<Image> images, PrintStream out) throws IOException {
      if (quiet) {
        images.stream().map(i -> i.id().toString()).distinct().forEach(out::println);
      } else if (output.equals("json")) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("images");
        for (Image i : images) {
          ObjectNode o = list.addObject();
          o.put("id", i.id().toString());
          ArrayNode tags = o.putArray("repoTags");
          ArrayNode digests = o.putArray("repoDigests");
          for (String n : i.names()) {
            tags.add(n);
            digests.add(ImageReference.parse(n).repository() + "@" + i.manifest());
          }
          o.put("size", Long.toString(i.size()));
        }
        out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      } else {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"IMAGE", "TAG", "IMAGE ID", "SIZE"});
        for (Image i : images) {
          for (String n : i.names()) {
            ImageReference r = ImageReference.parse(n);
            rows.add(new String[] {r.repository(), r.tag() == null ? "<none>" : r.tag(), i.id().shortHex(), humanSize(i.size())});
          }
        }
        Tables.print(rows, out);
      }
    }
  }

  @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
      description = "Remove images by name (that name) or by ID (every name of it); unused content is deleted.")
  static final class RemoveImages implements Callable<Integer> {
    @Mixin Store store;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "image names or IDs")
    List<String> refs;

    @Override
    public Integer call() {
      int code = 0;
      try {
        ImageStore s = store.open();
        for (String ref : refs) {
          List<String> removed = s.remove(ref);
          if (removed.isEmpty()) {
            System.err.println("planet image rm: no such image \"" + ref + "\" (see planet image ls)");
            code = 1;
          }
          removed.forEach(n -> System.out.println("Deleted: " + n));
        }
        return code;
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("planet image rm: " + e.getMessage());
        return 1;
      }
    }
  }

  /** Decimal units, as crictl and docker print image sizes. */
  static String humanSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
  }
}
