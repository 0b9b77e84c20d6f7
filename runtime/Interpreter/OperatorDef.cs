namespace Edge.Runtime
{
    /// <summary>
    /// One operator as stored in the file, handed to that op's Prepare. Option fields are read through checked
    /// accessors, so a malformed options table raises <see cref="EdgeFormatException"/> naming the field.
    /// </summary>
    public sealed class OperatorDef
    {
        public int Index;
        public OpType Type;
        public int[] Inputs;
        public int[] Outputs;
        public int OptionsType;
        public long Macs;
        /// <summary>Position of the operator table in the file (for error offsets).</summary>
        public int FileOffset;

        internal byte[] File;
        internal int OptionsTable = -1;
        internal string Path;
        internal EdgeModel Model;

        public EdgeModel Owner { get { return Model; } }

        /// <summary>Input tensor i (null when the optional input is absent).</summary>
        public TensorInfo Input(int i)
        {
            if (i >= Inputs.Length || Inputs[i] < 0) return null;
            return Model.Tensors[Inputs[i]];
        }

        public TensorInfo Output(int i)
        {
            return Model.Tensors[Outputs[i]];
        }

        /// <summary>A validation failure for this operator.</summary>
        public EdgeFormatException Error(string problem)
        {
            return new EdgeFormatException(Path, FileOffset, string.Concat(OpNames.Name(Type), ": ", problem));
        }

        /// <summary>Requires the options table of the given union type.</summary>
        public void RequireOptions(int optionsType)
        {
            if (OptionsType != optionsType || OptionsTable < 0)
                throw new EdgeFormatException(string.Concat(Path, ".options_type"), FileOffset,
                    string.Concat(OpNames.Name(Type), " needs options type ", optionsType.ToString(), ", found ", OptionsType.ToString()));
        }

        private string OptPath { get { return string.Concat(Path, ".options"); } }

        public int Int(int slot, int defaultValue, string field)
        {
            return FlatBufferView.GetInt(File, OptionsTable, slot, defaultValue, OptPath, field);
        }

        public int Byte(int slot, int defaultValue, string field)
        {
            return FlatBufferView.GetByte(File, OptionsTable, slot, defaultValue, OptPath, field);
        }

        public bool Bool(int slot, string field)
        {
            return FlatBufferView.GetBool(File, OptionsTable, slot, OptPath, field);
        }

        public float Float(int slot, float defaultValue, string field)
        {
            return FlatBufferView.GetFloat(File, OptionsTable, slot, defaultValue, OptPath, field);
        }

        /// <summary>An int vector option; an absent vector reads as empty.</summary>
        public int[] Ints(int slot, string field)
        {
            int[] v = FlatBufferView.GetIntVector(File, OptionsTable, slot, OptPath, field);
            return v == null ? new int[0] : v;
        }

        public float[] Floats(int slot, string field)
        {
            float[] v = FlatBufferView.GetFloatVector(File, OptionsTable, slot, OptPath, field);
            return v == null ? new float[0] : v;
        }
    }
}
