using System;

namespace Edge.Runtime
{
    /// <summary>
    /// The one exception a malformed or unsupported .edge file raises at load. The message names the field and
    /// the byte offset in the file where the problem was found.
    /// </summary>
    public class EdgeFormatException : Exception
    {
        private readonly string _field;
        private readonly int _offset;

        public EdgeFormatException(string field, int offset, string problem)
            : base(string.Concat("invalid .edge file: ", field, " at offset ", offset.ToString(), ": ", problem))
        {
            _field = field;
            _offset = offset;
        }

        /// <summary>Schema path of the offending field, e.g. "tensors[3].shape".</summary>
        public string Field { get { return _field; } }

        /// <summary>Byte offset in the file where the problem was found.</summary>
        public int Offset { get { return _offset; } }
    }
}
