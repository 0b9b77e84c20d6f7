namespace Edge.Runtime
{
    /// <summary>
    /// The geometry QLINEAR_CONV and DYNAMIC_CONV_2D share: input [N, H, W, C], filter [O, kh, kw, C / group], output
    /// [N, OH, OW, O] (each checked to be rank 4 by the caller), and the window options in slots 0..8 of their tables
    /// (stride_w, stride_h, dilation_w, dilation_h, pad_top, pad_left, pad_bottom, pad_right, group), validated once.
    /// </summary>
    public sealed class GroupedConvWindow
    {
        public int Batches, InH, InW, InC, OutC, KernelH, KernelW, Group, OutH, OutW;
        public int StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft;

        public static GroupedConvWindow Read(OperatorDef d, TensorInfo input, TensorInfo filter, TensorInfo output)
        {
            GroupedConvWindow g = new GroupedConvWindow();
            int[] i = input.Shape, f = filter.Shape;
            g.Batches = i[0]; g.InH = i[1]; g.InW = i[2]; g.InC = i[3];
            g.OutC = f[0]; g.KernelH = f[1]; g.KernelW = f[2];
            g.StrideW = d.Int(0, 1, "stride_w"); g.StrideH = d.Int(1, 1, "stride_h");
            g.DilationW = d.Int(2, 1, "dilation_w"); g.DilationH = d.Int(3, 1, "dilation_h");
            g.PadTop = d.Int(4, 0, "pad_top"); g.PadLeft = d.Int(5, 0, "pad_left");
            int pb = d.Int(6, 0, "pad_bottom"), pr = d.Int(7, 0, "pad_right");
            g.Group = d.Int(8, 1, "group");
            OpCheck.Positive(d, g.StrideW, "stride_w"); OpCheck.Positive(d, g.StrideH, "stride_h");
            OpCheck.Positive(d, g.DilationW, "dilation_w"); OpCheck.Positive(d, g.DilationH, "dilation_h");
            OpCheck.NonNegative(d, g.PadTop, "pad_top"); OpCheck.NonNegative(d, g.PadLeft, "pad_left");
            OpCheck.NonNegative(d, pb, "pad_bottom"); OpCheck.NonNegative(d, pr, "pad_right");
            OpCheck.Positive(d, g.Group, "group");
            OpCheck.Positive(d, g.KernelH, "filter height"); OpCheck.Positive(d, g.KernelW, "filter width");
            OpCheck.Positive(d, g.OutC, "output channels");
            if (g.InC % g.Group != 0 || g.OutC % g.Group != 0)
                throw d.Error("input and output channels must be multiples of group");
            OpCheck.Dim(d, filter, 3, g.InC / g.Group, "filter");
            g.OutH = ConvGeometry.OutputSize(g.InH, g.KernelH, g.StrideH, g.DilationH, g.PadTop, pb);
            g.OutW = ConvGeometry.OutputSize(g.InW, g.KernelW, g.StrideW, g.DilationW, g.PadLeft, pr);
            OpCheck.Dim(d, output, 0, g.Batches, "output");
            OpCheck.Dim(d, output, 1, g.OutH, "output");
            OpCheck.Dim(d, output, 2, g.OutW, "output");
            OpCheck.Dim(d, output, 3, g.OutC, "output");
            return g;
        }
    }
}
