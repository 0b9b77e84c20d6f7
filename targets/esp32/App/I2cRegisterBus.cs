using System.Device.I2c;
using Edge.Esp32;

namespace Edge.Esp32.App
{
    /// <summary>
    /// <see cref="RegisterBus"/> over nanoFramework's System.Device.I2c. byte[] converts implicitly to the
    /// SpanByte parameters of I2cDevice (a struct view: no allocation per transfer).
    /// </summary>
    public sealed class I2cRegisterBus : RegisterBus
    {
        private readonly I2cDevice _device;

        public I2cRegisterBus(I2cDevice device)
        {
            _device = device;
        }

        public override void Write(byte[] write)
        {
            I2cTransferResult r = _device.Write(write);
            if (r.Status != I2cTransferStatus.FullTransfer)
                throw new SensorException(string.Concat("I2C write failed: ", StatusText(r.Status)));
        }

        public override void WriteRead(byte[] write, byte[] read)
        {
            I2cTransferResult r = _device.WriteRead(write, read);
            if (r.Status != I2cTransferStatus.FullTransfer)
                throw new SensorException(string.Concat("I2C write-read failed: ", StatusText(r.Status)));
        }

        private static string StatusText(I2cTransferStatus s)
        {
            switch (s)
            {
                case I2cTransferStatus.SlaveAddressNotAcknowledged: return "address not acknowledged (check wiring, pull-ups, AD0)";
                case I2cTransferStatus.PartialTransfer: return "partial transfer";
                case I2cTransferStatus.ClockStretchTimeout: return "clock stretch timeout";
                default: return "unknown error";
            }
        }
    }
}
