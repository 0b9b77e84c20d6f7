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
    }
}
