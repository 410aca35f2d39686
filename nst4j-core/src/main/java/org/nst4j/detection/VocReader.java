package org.nst4j.detection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.nst4j.data.DataFormatException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads Pascal VOC detection data (one XML file per image) into a {@link CocoDataset}, so that everything
 * downstream — evaluation, training — sees one format.
 *
 * <p>Layout: the VOC year folder ({@code VOC2007/}) with {@code Annotations/<id>.xml}, {@code
 * JPEGImages/<file>} and {@code ImageSets/Main/<split>.txt} listing the image ids of a split. Each XML file
 * gives {@code filename}, {@code size/width}, {@code size/height} and {@code object}s with {@code name},
 * {@code bndbox/xmin, ymin, xmax, ymax} (1-based, inclusive pixel coordinates) and optionally {@code
 * difficult}.
 *
 * <p>Conversion: a box {@code xmin..xmax} becomes {@code x = xmin - 1, width = xmax - xmin + 1}; "difficult"
 * objects become crowd regions, which both evaluators ignore as VOC ignores difficult objects; categories are
 * the 20 VOC classes (ids 1..20 in VOC's order) when every name is one of them, else the names found, sorted,
 * numbered from 1. Image ids are the split file's order, from 1 (VOC's ids are strings).
 */
public final class VocReader {
  /** The 20 Pascal VOC classes, in the devkit's order. */
  public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
      "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep",
      "sofa", "train", "tvmonitor");

  private VocReader() {}

  /** One parsed annotation file. */
  private record Parsed(String fileName, int width, int height, List<String> names, List<Box> boxes,
      List<Boolean> difficult) {}

  /**
   * Reads one split of a VOC year folder.
   *
   * @param vocRoot the year folder, holding Annotations/, JPEGImages/ and ImageSets/Main/
   * @param split the split's name: the file {@code ImageSets/Main/<split>.txt} lists its image ids
   * @return the split as a COCO data set whose image folder is JPEGImages/ (image files are not checked here)
   * @throws DataFormatException if a file is missing or malformed, or a box lies outside its image
   */
  public static CocoDataset read(Path vocRoot, String split) {
    Path list = vocRoot.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
    List<String> ids = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(list)) {
        String id = line.strip();
        if (!id.isEmpty()) {
          ids.add(id.split("\\s+")[0]);
        }
      }
    } catch (NoSuchFileException e) {
      throw new DataFormatException(list + ": no such file (a VOC split lists its image ids in"
          + " ImageSets/Main/<split>.txt)", e);
    } catch (IOException e) {
      throw new DataFormatException(list + ": cannot be read (" + e.getMessage() + ")", e);
    }
    if (ids.isEmpty()) {
      throw new DataFormatException(list + ": lists no images");
    }
    Map<String, Parsed> parsed = new LinkedHashMap<>();
    TreeSet<String> names = new TreeSet<>();
    for (String id : ids) {
      Parsed p = parse(vocRoot.resolve("Annotations").resolve(id + ".xml"));
      if (parsed.put(id, p) != null) {
        throw new DataFormatException(list + ": image id " + id + " is listed twice");
      }
      names.addAll(p.names());
    }
    List<String> classes = VOC_CLASSES.containsAll(names) ? VOC_CLASSES : new ArrayList<>(names);
    List<CocoCategory> categories = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      categories.add(new CocoCategory(c + 1, classes.get(c)));
    }
    List<CocoImage> images = new ArrayList<>();
    List<CocoAnnotation> annotations = new ArrayList<>();
    long imageId = 0;
    for (Map.Entry<String, Parsed> e : parsed.entrySet()) {
      Parsed p = e.getValue();
      imageId++;
      images.add(new CocoImage(imageId, p.fileName(), p.width(), p.height()));
      for (int k = 0; k < p.boxes().size(); k++) {
        Box b = p.boxes().get(k);
        int category = classes.indexOf(p.names().get(k)) + 1;
        CocoAnnotation a = new CocoAnnotation(annotations.size() + 1, imageId, category, b, b.area(),
            p.difficult().get(k));
        annotations.add(a);
      }
    }
    try {
      return new CocoDataset(vocRoot.getFileName() + " " + split, vocRoot.resolve("JPEGImages"), images,
          categories, annotations);
    } catch (IllegalArgumentException ex) {
      // Annotation ids are positions here: name the XML file instead.
      throw new DataFormatException(vocRoot.resolve("Annotations") + ": " + ex.getMessage(), ex);
    }
  }

  private static Parsed parse(Path xml) {
    Document doc;
    try {
      doc = builder().parse(xml.toFile());
    } catch (SAXException e) {
      throw new DataFormatException(xml + ": not well-formed XML (" + firstLine(e.getMessage()) + ")", e);
    } catch (IOException e) {
      if (!Files.exists(xml)) {
        throw new DataFormatException(xml + ": no such file", e);
      }
      throw new DataFormatException(xml + ": cannot be read (" + e.getMessage() + ")", e);
    }
    Element root = doc.getDocumentElement();
    if (!root.getTagName().equals("annotation")) {
      throw new DataFormatException(xml + ": root element is <" + root.getTagName() + ">, expected <annotation>");
    }
    String fileName = text(root, "filename", xml);
    Element size = child(root, "size", xml);
    int width = positive(size, "width", xml);
    int height = positive(size, "height", xml);
    List<String> names = new ArrayList<>();
    List<Box> boxes = new ArrayList<>();
    List<Boolean> difficult = new ArrayList<>();
    NodeList objects = root.getElementsByTagName("object");
    for (int i = 0; i < objects.getLength(); i++) {
      Element o = (Element) objects.item(i);
      if (o.getParentNode() != root) {
        continue; // VOC's <part> elements nest objects' body parts; only top-level objects count
      }
      String at = xml + ": object " + (names.size() + 1);
      names.add(text(o, "name", at));
      Element b = child(o, "bndbox", at);
      double xmin = number(b, "xmin", at);
      double ymin = number(b, "ymin", at);
      double xmax = number(b, "xmax", at);
      double ymax = number(b, "ymax", at);
      if (xmax < xmin || ymax < ymin) {
        throw new DataFormatException(at + ": bndbox has xmax < xmin or ymax < ymin");
      }
      Box box = new Box(xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1);
      if (!box.within(width, height, CocoDataset.BOX_TOLERANCE)) {
        throw new DataFormatException(at + ": box " + box + " lies outside its image (" + width + "×" + height + ")");
      }
      boxes.add(box);
      Element d = optionalChild(o, "difficult");
      difficult.add(d != null && d.getTextContent().strip().equals("1"));
    }
    return new Parsed(fileName, width, height, names, boxes, difficult);
  }

  /** A parser that refuses DTDs and external entities: annotation files are data, never instructions. */
  private static DocumentBuilder builder() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      // Errors become the exception reported above; nothing is printed (stderr carries the one error line).
      b.setErrorHandler(new org.xml.sax.ErrorHandler() {
        @Override
        public void warning(org.xml.sax.SAXParseException e) {}

        @Override
        public void error(org.xml.sax.SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
          throw e;
        }
      });
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("XML parser lacks secure processing", e);
    }
  }

  private static Element optionalChild(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static Element child(Element parent, String tag, Object at) {
    Element e = optionalChild(parent, tag);
    if (e == null) {
      throw new DataFormatException(at + ": missing <" + tag + ">");
    }
    return e;
  }

  private static String text(Element parent, String tag, Object at) {
    String t = child(parent, tag, at).getTextContent().strip();
    if (t.isEmpty()) {
      throw new DataFormatException(at + ": empty <" + tag + ">");
    }
    return t;
  }

  private static double number(Element parent, String tag, Object at) {
    String t = text(parent, tag, at);
    try {
      double v = Double.parseDouble(t);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DataFormatException(at + ": <" + tag + "> must be a number, got '" + t + "'");
  }

  private static int positive(Element parent, String tag, Object at) {
    double v = number(parent, tag, at);
    if (v < 1 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
      throw new DataFormatException(at + ": <" + tag + "> must be a positive integer, got " + Box.fmt(v));
    }
    return (int) v;
  }

  private static String firstLine(String m) {
    if (m == null) {
      return "";
    }
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }
}
