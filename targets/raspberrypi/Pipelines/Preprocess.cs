using System;
using Edge.Pi.Devices;

namespace Edge.Pi.Pipelines
{
    /// <summary>How a cropped frame is scaled to the model's input size.</summary>
    public enum ResizeMode
    {
        /// <summary>Nearest neighbour: each output pixel takes the source pixel under its centre, x = x0 + ⌊(2·dx + 1)·cropW / (2·outW)⌋.</summary>
        Nearest,
        /// <summary>
        /// Area (box filter) in integer arithmetic: output pixel dx averages source columns
        /// [x0 + ⌊dx·cropW/outW⌋, x0 + ⌊(dx+1)·cropW/outW⌋) (at least one column), likewise rows, per channel,
        /// rounded half up: (sum + n/2) / n. For YUYV→RGB each source pixel is converted first, then averaged.
        /// </summary>
        Area,
    }

    /// <summary>
    /// Frame → model input bytes, in place and without allocation after construction:
    /// <list type="number">
    /// <item>centre crop to the model's aspect ratio (the largest centred window of outW:outH; the odd pixel of
    /// an uneven margin goes to the right/bottom);</item>
    /// <item>resize (<see cref="ResizeMode"/>);</item>
    /// <item>colour: 1 channel = luma (the Y byte of YUYV, or the GREY byte, unscaled); 3 channels = RGB from YUYV
    /// with integer BT.601 limited-range coefficients (<see cref="YuvToRgb"/>), or the GREY byte replicated;</item>
    /// <item>quantize every value through the <see cref="InputQuantizer"/> table straight into the tensor bytes
    /// (NHWC, channels R, G, B).</item>
    /// </list>
    /// </summary>
    public sealed class Preprocessor
    {
        private readonly int[] _nearestRow;    // byte offset of each output row's source row
        private readonly int[] _nearestY;      // per output column: byte offset of Y (or GREY) within the row
        private readonly int[] _nearestU;      // YUYV: offset of U (V is U + 2)
        private readonly int[] _boxX;          // area: column boundaries (outW + 1)
        private readonly int[] _boxY;          // area: row boundaries (outH + 1)
        private readonly byte[] _table;

        public Preprocessor(int frameWidth, int frameHeight, int frameStride, PixelFormat format,
            int outWidth, int outHeight, int outChannels, ResizeMode mode, InputQuantizer quantizer)
        {
            if (frameWidth <= 0 || frameHeight <= 0) throw new ArgumentException($"frame size {frameWidth}x{frameHeight}");
            if (outWidth <= 0 || outHeight <= 0) throw new ArgumentException($"model input size {outWidth}x{outHeight}");
            if (outChannels != 1 && outChannels != 3) throw new ArgumentException($"the model input has {outChannels} channels; the camera pipeline feeds 1 (grey) or 3 (RGB)");
            int bpp = format == PixelFormat.Yuyv ? 2 : 1;
            if (frameStride < frameWidth * bpp) throw new ArgumentException($"stride {frameStride} < {frameWidth * bpp} bytes of pixels");
            if (format == PixelFormat.Yuyv && (frameWidth & 1) != 0) throw new ArgumentException("YUYV frames have an even width");
            FrameWidth = frameWidth; FrameHeight = frameHeight; FrameStride = frameStride; Format = format;
            OutWidth = outWidth; OutHeight = outHeight; OutChannels = outChannels; Mode = mode;
            Quantizer = quantizer ?? throw new ArgumentNullException(nameof(quantizer));
            _table = new byte[256];
            quantizer.Table.CopyTo(_table);
            MinFrameBytes = frameStride * (frameHeight - 1) + frameWidth * bpp;

            (CropX, CropY, CropWidth, CropHeight) = CenterCrop(frameWidth, frameHeight, outWidth, outHeight);

            _nearestRow = new int[outHeight];
            for (int dy = 0; dy < outHeight; dy++)
                _nearestRow[dy] = (CropY + (int)((2L * dy + 1) * CropHeight / (2L * outHeight))) * frameStride;
            _nearestY = new int[outWidth];
            _nearestU = new int[outWidth];
            for (int dx = 0; dx < outWidth; dx++)
            {
                int sx = CropX + (int)((2L * dx + 1) * CropWidth / (2L * outWidth));
                _nearestY[dx] = sx * bpp;
                _nearestU[dx] = (sx & ~1) * 2 + 1;
            }
            _boxX = Boundaries(CropX, CropWidth, outWidth);
            _boxY = Boundaries(CropY, CropHeight, outHeight);
        }

        public int FrameWidth { get; }
        public int FrameHeight { get; }
        public int FrameStride { get; }
        public PixelFormat Format { get; }
        public int OutWidth { get; }
        public int OutHeight { get; }
        public int OutChannels { get; }
        public ResizeMode Mode { get; }
        public InputQuantizer Quantizer { get; }
        public int CropX { get; }
        public int CropY { get; }
        public int CropWidth { get; }
        public int CropHeight { get; }
        /// <summary>The fewest bytes a frame may have (the last row needs no padding).</summary>
        public int MinFrameBytes { get; }
        public int OutBytes => OutWidth * OutHeight * OutChannels;

        /// <summary>The largest centred window of the output's aspect ratio: (x, y, width, height).</summary>
        public static (int X, int Y, int Width, int Height) CenterCrop(int frameWidth, int frameHeight, int outWidth, int outHeight)
        {
            int cw, ch;
            if ((long)frameWidth * outHeight > (long)frameHeight * outWidth)
            {
                ch = frameHeight;
                cw = (int)Math.Max(1, (long)frameHeight * outWidth / outHeight);
            }
            else
            {
                cw = frameWidth;
                ch = (int)Math.Max(1, (long)frameWidth * outHeight / outWidth);
            }
            return ((frameWidth - cw) / 2, (frameHeight - ch) / 2, cw, ch);
        }

        private static int[] Boundaries(int start, int length, int count)
        {
            var b = new int[count + 1];
            for (int i = 0; i <= count; i++) b[i] = start + (int)((long)i * length / count);
            return b;
        }

        /// <summary>
        /// Integer BT.601 limited-range ("studio swing", what UVC webcams send) YCbCr → full-range RGB:
        /// C = Y − 16, D = U − 128, E = V − 128;
        /// R = clamp((298·C + 409·E + 128) ≫ 8), G = clamp((298·C − 100·D − 208·E + 128) ≫ 8),
        /// B = clamp((298·C + 516·D + 128) ≫ 8), ≫ an arithmetic shift, clamp to [0, 255]
        /// (the coefficients are 1.164, 1.596, 0.391, 0.813, 2.018 in 8.8 fixed point).
        /// </summary>
        public static void YuvToRgb(int y, int u, int v, out int r, out int g, out int b)
        {
            int c = 298 * (y - 16) + 128, d = u - 128, e = v - 128;
            r = Clamp255((c + 409 * e) >> 8);
            g = Clamp255((c - 100 * d - 208 * e) >> 8);
            b = Clamp255((c + 516 * d) >> 8);
        }

        private static int Clamp255(int x) => x < 0 ? 0 : x > 255 ? 255 : x;

        /// <summary>Fills <paramref name="output"/> (at least <see cref="OutBytes"/>) from one frame.</summary>
        public void Run(ReadOnlySpan<byte> frame, Span<byte> output)
        {
            if (frame.Length < MinFrameBytes) throw new ArgumentException($"frame holds {frame.Length} bytes, {FrameWidth}x{FrameHeight} needs {MinFrameBytes}");
            if (output.Length < OutBytes) throw new ArgumentException($"output holds {output.Length} bytes, the model input needs {OutBytes}");
            if (Mode == ResizeMode.Nearest) RunNearest(frame, output);
            else RunArea(frame, output);
        }

        private void RunNearest(ReadOnlySpan<byte> frame, Span<byte> output)
        {
            byte[] t = _table;
            int[] xy = _nearestY, xu = _nearestU;
            int o = 0;
            bool rgb = OutChannels == 3, yuyv = Format == PixelFormat.Yuyv;
            for (int dy = 0; dy < OutHeight; dy++)
            {
                ReadOnlySpan<byte> row = frame.Slice(_nearestRow[dy]);
                if (!rgb)
                {
                    for (int dx = 0; dx < xy.Length; dx++) output[o++] = t[row[xy[dx]]];
                }
                else if (!yuyv)
                {
                    for (int dx = 0; dx < xy.Length; dx++)
                    {
                        byte q = t[row[xy[dx]]];
                        output[o] = q; output[o + 1] = q; output[o + 2] = q;
                        o += 3;
                    }
                }
                else
                {
                    for (int dx = 0; dx < xy.Length; dx++)
                    {
                        int ui = xu[dx];
                        YuvToRgb(row[xy[dx]], row[ui], row[ui + 2], out int r, out int g, out int b);
                        output[o] = t[r]; output[o + 1] = t[g]; output[o + 2] = t[b];
                        o += 3;
                    }
                }
            }
        }

        private void RunArea(ReadOnlySpan<byte> frame, Span<byte> output)
        {
            byte[] t = _table;
            int stride = FrameStride;
            bool rgb = OutChannels == 3, yuyv = Format == PixelFormat.Yuyv;
            int bpp = yuyv ? 2 : 1;
            int o = 0;
            for (int dy = 0; dy < OutHeight; dy++)
            {
                int y0 = _boxY[dy], y1 = Math.Max(_boxY[dy + 1], y0 + 1);
                for (int dx = 0; dx < OutWidth; dx++)
                {
                    int x0 = _boxX[dx], x1 = Math.Max(_boxX[dx + 1], x0 + 1);
                    int n = (y1 - y0) * (x1 - x0), half = n >> 1;
                    if (!rgb || !yuyv)
                    {
                        int sum = 0;
                        for (int sy = y0; sy < y1; sy++)
                        {
                            int rowStart = sy * stride;
                            for (int sx = x0; sx < x1; sx++) sum += frame[rowStart + sx * bpp];
                        }
                        byte q = t[(sum + half) / n];
                        output[o++] = q;
                        if (rgb) { output[o++] = q; output[o++] = q; }
                    }
                    else
                    {
                        int sr = 0, sg = 0, sb = 0;
                        for (int sy = y0; sy < y1; sy++)
                        {
                            int rowStart = sy * stride;
                            for (int sx = x0; sx < x1; sx++)
                            {
                                int ui = rowStart + (sx & ~1) * 2 + 1;
                                YuvToRgb(frame[rowStart + sx * 2], frame[ui], frame[ui + 2], out int r, out int g, out int b);
                                sr += r; sg += g; sb += b;
                            }
                        }
                        output[o] = t[(sr + half) / n];
                        output[o + 1] = t[(sg + half) / n];
                        output[o + 2] = t[(sb + half) / n];
                        o += 3;
                    }
                }
            }
        }
    }
}
