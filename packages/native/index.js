// The ES module face of the loader (index.cjs, CommonJS so that @mmcdb/core can load it
// synchronously): the same binding object.
import binding from './index.cjs';

export default binding;
export const open = binding.open;
export const encodeCdbmake = binding.encodeCdbmake;
export const setErrorClass = binding.setErrorClass;
export const lockFile = binding.lockFile;
export const shardRoute = binding.shardRoute;
export const shardEncode = binding.shardEncode;
export const shardRouter = binding.shardRouter;
export const shardIndex = binding.shardIndex;
export const viewOf = binding.viewOf;
export const flavor = binding.flavor;
export const flavorReason = binding.flavorReason;
