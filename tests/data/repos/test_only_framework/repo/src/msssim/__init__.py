from msssim.ssim import ssim
