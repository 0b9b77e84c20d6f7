namespace Edge.Kernels.Reference.Signal
{
    /// <summary>
    /// Integer helpers of TFLite Micro's signal library, and little-endian element access on byte arrays.
    ///
    /// Contract:
    ///  - <see cref="MostSignificantBit32"/>(x) = 32 − clz(x) for x ≠ 0 and 32 for x = 0 (signal/src/msb_32.cc,
    ///    the __GNUC__ branch, which is what the reference build compiles); <see cref="MostSignificantBit64"/>
    ///    likewise with 64 (msb_64.cc).
    ///  - <see cref="Sqrt32"/> / <see cref="Sqrt64"/>: bit-by-bit integer square root rounded to nearest, the
    ///    result truncated to uint16 / uint32, Sqrt64 taking the 32-bit path when the upper word is zero
    ///    (signal/src/square_root_32.cc, square_root_64.cc).
    ///  - <see cref="Log32"/>(x, scale): log2 as integer part + 128-segment LUT interpolated fraction (Q16), times
    ///    ln 2 (45426 / 65536) and then the output scale, each rounded (signal/src/log.cc; its in-segment
    ///    interpolation is scaled by 2^-16, so values step at segment edges — kept). x must be ≥ 1.
    /// All arithmetic is on uint / ulong with C's wrap-around, as in the C sources. Allocates nothing.
    /// </summary>
    public static class SignalMath
    {
        public static int ReadInt16(byte[] b, int pos) { return (short)(b[pos] | (b[pos + 1] << 8)); }

        public static void WriteInt16(byte[] b, int pos, int v)
        {
            b[pos] = (byte)v;
            b[pos + 1] = (byte)(v >> 8);
        }

        public static int ReadInt32(byte[] b, int pos)
        {
            return b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
        }

        public static uint ReadUInt32(byte[] b, int pos) { return (uint)ReadInt32(b, pos); }

        public static void WriteInt32(byte[] b, int pos, int v)
        {
            b[pos] = (byte)v;
            b[pos + 1] = (byte)(v >> 8);
            b[pos + 2] = (byte)(v >> 16);
            b[pos + 3] = (byte)(v >> 24);
        }

        public static void WriteUInt32(byte[] b, int pos, uint v) { WriteInt32(b, pos, (int)v); }

        public static ulong ReadUInt64(byte[] b, int pos)
        {
            return (ulong)(uint)ReadInt32(b, pos) | ((ulong)(uint)ReadInt32(b, pos + 4) << 32);
        }

        public static void WriteUInt64(byte[] b, int pos, ulong v)
        {
            WriteInt32(b, pos, (int)(uint)v);
            WriteInt32(b, pos + 4, (int)(uint)(v >> 32));
        }

        public static int MostSignificantBit32(uint x)
        {
            if (x == 0) return 32;
            int n = 0;
            while (x != 0) { x >>= 1; n++; }
            return n;
        }

        public static int MostSignificantBit64(ulong x)
        {
            if (x == 0) return 64;
            int n = 0;
            while (x != 0) { x >>= 1; n++; }
            return n;
        }

        public static uint Sqrt32(uint num)
        {
            if (num == 0) return 0;
            uint res = 0;
            int maxBitNumber = 32 - MostSignificantBit32(num);
            maxBitNumber |= 1;
            uint bit = 1u << (31 - maxBitNumber);
            int iterations = (31 - maxBitNumber) / 2 + 1;
            while (iterations-- > 0)
            {
                if (num >= res + bit)
                {
                    num -= res + bit;
                    res = (res >> 1) + bit;
                }
                else
                {
                    res >>= 1;
                }
                bit >>= 2;
            }
            if (num > res && res != 0xFFFF) ++res;
            return res & 0xFFFF;
        }

        public static uint Sqrt64(ulong num)
        {
            if ((num >> 32) == 0) return Sqrt32((uint)num);
            ulong res = 0;
            int maxBitNumber = 64 - MostSignificantBit64(num);
            maxBitNumber |= 1;
            ulong bit = 1UL << (63 - maxBitNumber);
            int iterations = (63 - maxBitNumber) / 2 + 1;
            while (iterations-- > 0)
            {
                if (num >= res + bit)
                {
                    num -= res + bit;
                    res = (res >> 1) + bit;
                }
                else
                {
                    res >>= 1;
                }
                bit >>= 2;
            }
            if (num > res && res != 0xFFFFFFFFUL) ++res;
            return (uint)res;
        }

        // signal/src/log.cc: 128 segments of a correction of log2(1 + f) − f, Q16, plus padding.
        private static readonly ushort[] LogLut = new ushort[]
        {
            0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
            2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
            3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
            5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
            5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
            5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
            5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
            4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
            3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
            2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
            1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
        };

        private const int LogSegmentsLog2 = 7;
        private const int LogScaleLog2 = 16;
        private const uint LogScale = 65536;
        private const ulong LogCoeff = 45426;

        private static uint Log2FractionPart32(uint x, uint log2x)
        {
            int frac = (int)(long)((long)x - (1L << (int)log2x));
            if (log2x < LogScaleLog2) frac <<= (int)(LogScaleLog2 - log2x);
            else frac >>= (int)(log2x - LogScaleLog2);
            uint baseSeg = (uint)frac >> (LogScaleLog2 - LogSegmentsLog2);
            uint segUnit = (1u << LogScaleLog2) >> LogSegmentsLog2;
            int c0 = LogLut[baseSeg];
            int c1 = LogLut[baseSeg + 1];
            int segBase = (int)(segUnit * baseSeg);
            int relPos = ((c1 - c0) * (frac - segBase)) >> LogScaleLog2;
            return (uint)(frac + c0 + relPos);
        }

        public static uint Log32(uint x, uint outScale)
        {
            uint integer = (uint)(MostSignificantBit32(x) - 1);
            uint fraction = Log2FractionPart32(x, integer);
            uint log2 = (integer << LogScaleLog2) + fraction;
            uint round = LogScale / 2;
            uint loge = (uint)((LogCoeff * log2 + round) >> LogScaleLog2);
            return (outScale * loge + round) >> LogScaleLog2;
        }
    }
}
