namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QLINEAR_CONV: ONNX QLinearConv / ConvInteger on NHWC activations with OHWI weights and groups.
    ///
    /// Contract: for output (b, y, x, o) in group g = o / (C_out/group), with I = C_in/group input channels per group,
    ///   acc = bias[o] + Σ_{ky,kx,i} (in[b, y·sh − pt + ky·dh, x·sw − pl + kx·dw, g·I + i] − inZp) · (w[o, ky, kx, i] − wZp[o])
    /// over in-bounds taps (ONNX pads with the zero point, which contributes nothing), int32 arithmetic.
    /// outKind 0 writes acc as int32 (ConvInteger); 1/2 write uint8/int8 by <see cref="OrtRequant.Requantize"/>
    /// with scale[o] (ONNX Runtime's MlasRequantizeOutput). Offsets are byte offsets; the output offset is for
    /// element 0 of the output (int32 outputs: outOffset + 4·index).
    /// </summary>
    public static class QLinearConv
    {
        public static void Eval(
            byte[] input, int inOffset, bool inSigned, int batches, int inH, int inW, int inC,
            byte[] weights, int wOffset, bool wSigned, int outC, int kH, int kW, int group,
            byte[] bias, int biasOffset,
            int strideH, int strideW, int dilH, int dilW, int padTop, int padLeft,
            int inZp, int[] wZp,
            byte[] output, int outOffset, int outH, int outW, int outKind,
            float[] scale, int outZp, int actMin, int actMax)
        {
            Eval(input, inOffset, inSigned, batches, inH, inW, inC, weights, wOffset, wSigned, outC, kH, kW, group,
                bias, biasOffset, strideH, strideW, dilH, dilW, padTop, padLeft, inZp, wZp,
                output, outOffset, outH, outW, outKind, scale, outZp, actMin, actMax, false);
        }

        /// <summary>
        /// As above; with <paramref name="pairSaturation"/> (int8 weights with zero point 0 only) the accumulator is
        /// ONNX Runtime's x86 u8s8 GEMM (VPMADDUBSW): the activation is taken as uint8 (int8 + 128, zero point + 128),
        /// the products u·w along K = (ky, kx, i) — padding taps included, holding the zero point — are summed in
        /// adjacent pairs (K index 2j, 2j+1; an odd K pairs the last with 0) saturated to int16, the pair sums added
        /// in int32, and (zero point)·Σw subtracted: acc = bias[o] + Σ_j sat16(u_{2j}·w_{2j} + u_{2j+1}·w_{2j+1}) − zp_u·Σ_k w_k.
        /// </summary>
        public static void Eval(
            byte[] input, int inOffset, bool inSigned, int batches, int inH, int inW, int inC,
            byte[] weights, int wOffset, bool wSigned, int outC, int kH, int kW, int group,
            byte[] bias, int biasOffset,
            int strideH, int strideW, int dilH, int dilW, int padTop, int padLeft,
            int inZp, int[] wZp,
            byte[] output, int outOffset, int outH, int outW, int outKind,
            float[] scale, int outZp, int actMin, int actMax, bool pairSaturation)
        {
            if (pairSaturation)
            {
                EvalPairSaturating(input, inOffset, inSigned, batches, inH, inW, inC, weights, wOffset, outC, kH, kW, group,
                    bias, biasOffset, strideH, strideW, dilH, dilW, padTop, padLeft, inZp,
                    output, outOffset, outH, outW, outKind, scale, outZp, actMin, actMax);
                return;
            }
            int icPerGroup = inC / group;
            int ocPerGroup = outC / group;
            int idx = 0;
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                        for (int oc = 0; oc < outC; oc++, idx++)
                        {
                            int g = oc / ocPerGroup;
                            int acc = bias == null ? 0 : OrtRequant.ReadInt32(bias, biasOffset + 4 * oc);
                            int wz = wZp[oc];
                            for (int ky = 0; ky < kH; ky++)
                            {
                                int iy = oy * strideH - padTop + ky * dilH;
                                if (iy < 0 || iy >= inH) continue;
                                for (int kx = 0; kx < kW; kx++)
                                {
                                    int ix = ox * strideW - padLeft + kx * dilW;
                                    if (ix < 0 || ix >= inW) continue;
                                    int ip = inOffset + ((b * inH + iy) * inW + ix) * inC + g * icPerGroup;
                                    int wp = wOffset + ((oc * kH + ky) * kW + kx) * icPerGroup;
                                    for (int i = 0; i < icPerGroup; i++)
                                    {
                                        int xv = (inSigned ? (int)(sbyte)input[ip + i] : (int)input[ip + i]) - inZp;
                                        int wv = (wSigned ? (int)(sbyte)weights[wp + i] : (int)weights[wp + i]) - wz;
                                        acc = unchecked(acc + xv * wv);
                                    }
                                }
                            }
                            if (outKind == 0) OrtRequant.WriteInt32(output, outOffset + 4 * idx, acc);
                            else output[outOffset + idx] = (byte)OrtRequant.Requantize(acc, scale[oc], outZp, actMin, actMax);
                        }
        }

        private static void EvalPairSaturating(
            byte[] input, int inOffset, bool inSigned, int batches, int inH, int inW, int inC,
            byte[] weights, int wOffset, int outC, int kH, int kW, int group,
            byte[] bias, int biasOffset,
            int strideH, int strideW, int dilH, int dilW, int padTop, int padLeft, int inZp,
            byte[] output, int outOffset, int outH, int outW, int outKind,
            float[] scale, int outZp, int actMin, int actMax)
        {
            int icPerGroup = inC / group;
            int ocPerGroup = outC / group;
            int shift = inSigned ? 128 : 0;
            int zpU = inZp + shift;
            int kCount = kH * kW * icPerGroup;
            int idx = 0;
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                        for (int oc = 0; oc < outC; oc++, idx++)
                        {
                            int g = oc / ocPerGroup;
                            int acc = bias == null ? 0 : OrtRequant.ReadInt32(bias, biasOffset + 4 * oc);
                            int wBase = wOffset + oc * kCount;
                            int sumW = 0;
                            int pair = 0;
                            for (int t = 0; t < kCount; t++)
                            {
                                int i = t % icPerGroup;
                                int kx = (t / icPerGroup) % kW;
                                int ky = t / (icPerGroup * kW);
                                int iy = oy * strideH - padTop + ky * dilH;
                                int ix = ox * strideW - padLeft + kx * dilW;
                                int u;
                                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) u = zpU;
                                else
                                {
                                    int ip = inOffset + ((b * inH + iy) * inW + ix) * inC + g * icPerGroup + i;
                                    u = (inSigned ? (int)(sbyte)input[ip] : (int)input[ip]) + shift;
                                }
                                int w = (sbyte)weights[wBase + t];
                                sumW += w;
                                pair += u * w;
                                if ((t & 1) == 1 || t == kCount - 1)
                                {
                                    if (pair > 32767) pair = 32767;
                                    if (pair < -32768) pair = -32768;
                                    acc = unchecked(acc + pair);
                                    pair = 0;
                                }
                            }
                            acc = unchecked(acc - zpU * sumW);
                            if (outKind == 0) OrtRequant.WriteInt32(output, outOffset + 4 * idx, acc);
                            else output[outOffset + idx] = (byte)OrtRequant.Requantize(acc, scale[oc], outZp, actMin, actMax);
                        }
        }
    }
}
