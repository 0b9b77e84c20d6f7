using Edge.Kernels.Reference;

namespace Edge.Runtime
{
    /// <summary>
    /// FULLY_CONNECTED: input flattened to [batches, in_depth], weights [units, in_depth], folded bias.
    /// Prepare validates into <see cref="Params"/> (a 1×1 convolution over [batches, 1, 1, in_depth]);
    /// Eval dispatches to the reference kernel.
    /// </summary>
    public sealed class FullyConnectedOp : OpKernel
    {
        // FullyConnectedOptions slots: input_zero_point, output_zero_point, act_min, act_max,
        // output_multiplier, output_shift (0..5).
        private const int QuantSlots = 0;

        /// <summary>The validated parameters (also used by alternate kernel sets).</summary>
        public ConvParams Params;

        public static OpKernel Prepare(OperatorDef d)
        {
            OpCheck.InputCount(d, 3, 3);
            OpCheck.OutputCount(d, 1);
            d.RequireOptions(OptionsType.FullyConnected);
            ConvParams p = new ConvParams();
            p.Input = OpCheck.Required(d, 0, "input");
            p.Filter = OpCheck.Required(d, 1, "weights");
            p.Output = d.Output(0);
            OpCheck.Type(d, p.Input, DType.Int8, "input");
            OpCheck.Type(d, p.Filter, DType.Int8, "weights");
            OpCheck.Type(d, p.Output, DType.Int8, "output");
            OpCheck.Rank(d, p.Filter, 2, "weights");
            int units = p.Filter.Shape[0], depth = p.Filter.Shape[1];
            OpCheck.Positive(d, depth, "weights input depth");
            OpCheck.Positive(d, units, "weights units");
            if (p.Input.ElementCount % depth != 0)
                throw d.Error(string.Concat("input ", p.Input.ShapeText(), " does not flatten to rows of ", depth.ToString()));
            int batches = p.Input.ElementCount / depth;
            if ((long)batches * units != p.Output.ElementCount)
                throw d.Error(string.Concat("output ", p.Output.ShapeText(), " should hold ", batches.ToString(), " x ", units.ToString(), " values"));
            if (p.Output.Rank == 0 || p.Output.Shape[p.Output.Rank - 1] != units)
                throw d.Error(string.Concat("output ", p.Output.ShapeText(), " must end in ", units.ToString(), " units"));
            p.Batches = batches; p.InH = 1; p.InW = 1; p.InC = depth;
            p.OutH = 1; p.OutW = 1; p.OutC = units; p.FilterInC = depth;
            ConvGeometry.ReadQuantization(d, p, QuantSlots);
            FullyConnectedOp op = new FullyConnectedOp();
            op.Params = p;
            return op;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            ConvParams p = Params;
            FullyConnected.Eval(
                Data(p.Input, arena, model), p.Input.DataOffset, p.Batches, p.InC,
                Data(p.Filter, arena, model), p.Filter.DataOffset, p.OutC,
                p.Bias, p.Multiplier, p.Shift,
                arena, p.Output.DataOffset,
                p.InputZeroPoint, p.OutputZeroPoint, p.ActMin, p.ActMax);
        }
    }
}
