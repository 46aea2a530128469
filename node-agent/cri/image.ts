// CRI ImageService, one method per RPC.
import type { CallOptions, CriConnection } from './connection.js';
import type { AuthConfig, Image, ImageFsInfoResponse, ImageSpecIn, ImageStatusResponse, PodSandboxConfig } from './types.js';

export class ImageServiceClient {
  constructor(private readonly conn: CriConnection) {}

  private call<Res>(method: string, req: object, opts?: CallOptions): Promise<Res> {
    return this.conn.unary<Res>('ImageService', method, req, opts);
  }

  async listImages(filter?: ImageSpecIn, opts?: CallOptions): Promise<Image[]> {
    const r = await this.call<{ images: Image[] }>('ListImages', { filter: filter ? { image: filter } : null }, opts);
    return r.images;
  }

  /** `image` is null when the image is absent: CRI reports that as success, not NotFound. */
  imageStatus(image: ImageSpecIn, verbose = false, opts?: CallOptions): Promise<ImageStatusResponse> {
    return this.call('ImageStatus', { image, verbose }, opts);
  }

  /**
   * Pulls and unpacks `image`; resolves with the image reference (its ID, `sha256:...`).
   * No deadline unless given: large pulls legitimately take minutes; cancel with `signal`.
   */
  async pullImage(
    image: ImageSpecIn,
    auth?: AuthConfig,
    sandboxConfig?: PodSandboxConfig,
    opts?: CallOptions,
  ): Promise<string> {
    const req = { image, auth: auth ?? null, sandbox_config: sandboxConfig ?? null };
    const r = await this.call<{ image_ref: string }>('PullImage', req, { timeoutMs: 0, ...opts });
    return r.image_ref;
  }

  /**
   * Removes the image. Beware: containerd removes every tag that points at the same image ID,
   * not just the named one. Removing an absent image succeeds.
   */
  async removeImage(image: ImageSpecIn, opts?: CallOptions): Promise<void> {
    await this.call('RemoveImage', { image }, opts);
  }

  /** Usage of the image filesystem; lags up to containerd's stats_collect_period (10 s). */
  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse> {
    return this.call('ImageFsInfo', {}, opts);
  }
}
