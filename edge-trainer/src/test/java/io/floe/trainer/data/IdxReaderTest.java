package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    /** Three 2 x 2 images, row-major, with known bytes. */
    private static final byte[] PIXELS = {
        0, (byte) 255, 51, 102, //
        (byte) 204, 0, 0, 1, //
        10, 20, 30, (byte) 128,
    };
    private static final byte[] LABELS = {9, 0, 3};

    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length); // big-endian by default
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(body);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private void writeSplit(String images, String labels, boolean gz) throws IOException {
        byte[] img = idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS);
        byte[] lab = idx(IdxReader.LABELS_MAGIC, new int[] {3}, LABELS);
        write(images + (gz ? ".gz" : ""), gz ? gzip(img) : img);
        write(labels + (gz ? ".gz" : ""), gz ? gzip(lab) : lab);
    }

    @Test
    void readsRawImagesAndLabels() throws IOException {
        Path file = write("images", idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS));

        IdxReader.IdxArray images = IdxReader.readImages(file, Integer.MAX_VALUE);

        assertThat(images.dimensions()).containsExactly(3, 2, 2);
        assertThat(images.items()).isEqualTo(3);
        assertThat(images.itemSize()).isEqualTo(4);
        assertThat(images.data()).containsExactly(PIXELS);
    }

    @Test
    void detectsGzipByMagicNotByName() throws IOException {
        Path file = write("labels-without-suffix", gzip(idx(IdxReader.LABELS_MAGIC, new int[] {3}, LABELS)));

        IdxReader.IdxArray labels = IdxReader.readLabels(file, Integer.MAX_VALUE);

        assertThat(labels.dimensions()).containsExactly(3);
        assertThat(labels.data()).containsExactly(LABELS);
    }

    @Test
    void readsOnlyTheFirstItemsWhenLimited() throws IOException {
        Path file = write("images.gz", gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS)));

        IdxReader.IdxArray images = IdxReader.readImages(file, 2);

        assertThat(images.dimensions()).containsExactly(3, 2, 2); // the header's count stays
        assertThat(images.items()).isEqualTo(2);
        assertThat(images.data()).containsExactly(Arrays.copyOf(PIXELS, 8));
    }

    @Test
    void rejectsAWrongMagicNamingTheFile() throws IOException {
        // a label file where an image file is expected
        Path file = write("train-images-idx3-ubyte", idx(IdxReader.LABELS_MAGIC, new int[] {3}, LABELS));

        assertThatThrownBy(() -> IdxReader.readImages(file, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("0x00000801")
                .hasMessageContaining("expected 0x00000803");
    }

    @Test
    void rejectsATruncatedRawFile() throws IOException {
        byte[] whole = idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS);
        Path file = write("short", Arrays.copyOf(whole, whole.length - 3));

        assertThatThrownBy(() -> IdxReader.readImages(file, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("only 2 whole items");
        // the first two images are there, so a limited read succeeds
        assertThat(IdxReader.readImages(file, 2).items()).isEqualTo(2);
    }

    @Test
    void rejectsATruncatedGzipFile() throws IOException {
        byte[] packed = gzip(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS));
        Path file = write("short.gz", Arrays.copyOf(packed, packed.length - 12));

        assertThatThrownBy(() -> IdxReader.readImages(file, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void rejectsAFileEndingInsideTheHeader() throws IOException {
        Path file = write("header-only", Arrays.copyOf(idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS), 10));

        assertThatThrownBy(() -> IdxReader.readImages(file, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("header");
    }

    @Test
    void rejectsAZeroImageSize() throws IOException {
        Path file = write("flat", idx(IdxReader.IMAGES_MAGIC, new int[] {3, 0, 2}, new byte[0]));

        assertThatThrownBy(() -> IdxReader.readImages(file, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("size 2 is 0");
    }

    @Test
    void loadsASplitAsScaledFeaturesAndNamedClasses() throws IOException {
        writeSplit(FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, false);
        writeSplit(FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, true);

        FashionMnist.Splits data = FashionMnist.load(dir);

        for (Dataset d : new Dataset[] {data.train(), data.test()}) {
            assertThat(d.size()).isEqualTo(3);
            assertThat(d.featureCount()).isEqualTo(4);
            assertThat(d.featureNames()).containsExactly("px0", "px1", "px2", "px3");
            assertThat(d.classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
            assertThat(d.labels()).containsExactly(9, 0, 3);
            assertThat(d.row(0)).containsExactly(0f, 1f, 0.2f, 0.4f);
            assertThat(d.row(2)).containsExactly(10 / 255f, 20 / 255f, 30 / 255f, 128 / 255f);
        }
        assertThat(data.test().classNames().get(9)).isEqualTo("Ankle boot");
        assertThat(FashionMnist.isPresent(dir)).isTrue();
    }

    @Test
    void loadsTheFirstRowsOnly() throws IOException {
        writeSplit(FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, true);

        Dataset train = FashionMnist.loadTrain(dir, 2);

        assertThat(train.size()).isEqualTo(2);
        assertThat(train.labels()).containsExactly(9, 0);
    }

    @Test
    void rejectsImagesAndLabelsOfDifferentCounts() throws IOException {
        write(FashionMnist.TRAIN_IMAGES, idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS));
        write(FashionMnist.TRAIN_LABELS, idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2}));

        assertThatThrownBy(() -> FashionMnist.loadTrain(dir, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 images")
                .hasMessageContaining("2 labels")
                .hasMessageContaining(FashionMnist.TRAIN_LABELS);
    }

    @Test
    void rejectsALabelOutsideTheTenClasses() throws IOException {
        write(FashionMnist.TEST_IMAGES, idx(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, PIXELS));
        write(FashionMnist.TEST_LABELS, idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {1, 10, 2}));

        assertThatThrownBy(() -> FashionMnist.loadTest(dir, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 10 of item 1");
    }

    @Test
    void missingFilesSayHowToGetThem() {
        assertThat(FashionMnist.isPresent(dir)).isFalse();
        assertThatThrownBy(() -> FashionMnist.load(dir))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining(FashionMnist.TRAIN_IMAGES)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("scripts/setup-fashion-mnist.sh");
    }
}
